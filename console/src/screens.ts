/**
 * The console's screens and who sees them. `account` screens show account-wide data: a `user`-role login
 * (or one restricted to its own records) never gets them in its menu and never loads them.
 */
import type { ComponentType } from 'preact';
import type { ConsoleSession } from './api/session';
import { LiveCalls } from './screens/live-calls';
import { Events } from './screens/events';
import { History } from './screens/history';
import { Wallboard } from './screens/wallboard';
import { Provisioning } from './screens/provisioning';
import { Webhooks } from './screens/webhooks';
import { Devices } from './screens/devices';
import { Phone } from './screens/phone';

export interface ScreenProps {
  session: ConsoleSession;
  elevated: boolean;
}

export interface Screen {
  route: string;
  title: string;
  /** Only for account-wide principals (manager/admin, not own-records-only). */
  account: boolean;
  component: ComponentType<ScreenProps>;
}

export const SCREENS: readonly Screen[] = [
  { route: 'calls', title: 'Live calls', account: false, component: LiveCalls },
  { route: 'events', title: 'Events', account: false, component: Events },
  { route: 'history', title: 'History', account: false, component: History },
  { route: 'wallboard', title: 'Wallboard', account: true, component: Wallboard },
  { route: 'provisioning', title: 'Provisioning', account: true, component: Provisioning },
  { route: 'webhooks', title: 'Webhooks', account: true, component: Webhooks },
  { route: 'devices', title: 'Devices', account: false, component: Devices },
  { route: 'phone', title: 'Phone', account: false, component: Phone },
];

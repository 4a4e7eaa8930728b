/** Wire shapes the console reads (contracts A and B of issue 16, and the existing REST families). */

export interface LiveLeg {
  legId: string;
  role: string;
  partyKind: 'phone' | 'sip' | 'local';
  number: string;
  name?: string;
  userId?: number;
  state: 'dialing' | 'ringing' | 'answered' | 'ended';
  createdAt: number;
  answeredAt?: number;
}

export interface LiveCall {
  sessionId: string;
  kind: string;
  direction: 'incoming' | 'outgoing' | 'internal' | 'originate';
  from: string;
  to: string;
  lineId?: string;
  lineName?: string;
  state: 'ringing' | 'answered' | 'ending';
  startedAt: number;
  answeredAt?: number;
  legs: LiveLeg[];
}

export interface Device {
  userId: number;
  userName: string;
  extension?: string;
  aor: string;
  contact: string;
  transport: string;
  source: string;
  userAgent?: string;
  expiresAt: number | string;
}

export interface ReportLeg {
  leg_id: string;
  role: string;
  party_type: string;
  number: string;
  name: string | null;
  user_id: number | null;
  result: string | null;
}

export interface ReportEntry {
  call_id: string;
  type: string;
  direction: string;
  from: string;
  to: string;
  date: string;
  line_id?: string | null;
  line_name?: string | null;
  user_id?: number | null;
  answered_by_user_id?: number | null;
  start_time?: string;
  answer_time?: string | null;
  end_time?: string;
  duration?: number;
  disposition?: string;
  is_missed_call?: boolean;
  voicemail_url?: string | null;
  recording_url?: string | null;
  message?: string;
  status?: string;
  components?: { filename: string; contentType: string; size: number }[];
  legs?: ReportLeg[];
}

export interface Webhook {
  id: string;
  url: string;
  fallbackUrl?: string;
  dialect: string;
  method: string;
  events: string[];
  hasSecret: boolean;
  source: 'config' | 'api';
}

export interface DeadLetter {
  id: number;
  webhookId: string;
  eventId: string;
  event: string;
  dialect: string;
  sessionId: string;
  position: number;
  attempts: number;
  firstAttemptAt: string | null;
  deadAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  payload: unknown;
}

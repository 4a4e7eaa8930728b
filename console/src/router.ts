/** A hash router in a few lines: `#/calls` → 'calls'. Hash routes need nothing from the server. */
import { useEffect, useState } from 'preact/hooks';

export function currentRoute(): string {
  return location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
}

export function navigate(route: string): void {
  location.hash = `#/${route}`;
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

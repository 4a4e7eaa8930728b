/**
 * An image behind the bearer token (MMS media, `GET /mms/component/…`): an <img> cannot send the header, so
 * the bytes are fetched and shown from an object URL, released when the image goes.
 */
import { useEffect, useState } from 'preact/hooks';
import { authFetch } from '../api/client';

export function AuthImage({ src, alt }: { src: string; alt: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let objectUrl: string | null = null;
    let live = true;
    authFetch(src)
      .then(async (res) => {
        if (!res.ok) throw new Error(`${res.status}`);
        const blob = await res.blob();
        if (!live) return;
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      })
      .catch((e: unknown) => live && setFailed(String(e)));
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [src]);
  if (failed) return <span class="error">{`${alt}: ${failed}`}</span>;
  return url ? <img class="mms" src={url} alt={alt} /> : <span class="loading">{alt}</span>;
}

/**
 * Named media errors. Each carries what the caller needs to act; what they mean to a SIP peer is the
 * switch's business (src/switch/media-sip-status.ts), not the media layer's.
 */
export class MediaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** No codec in common between the remote SDP and ours (RFC 3264 6). */
export class CodecMismatchError extends MediaError {
  constructor(
    readonly offered: string[],
    readonly supported: string[],
  ) {
    super(`no common audio codec: remote offers [${offered.join(', ') || 'none'}], Ringside supports [${supported.join(', ')}]`);
  }
}

/** The remote SDP could not be used (syntax, no audio stream, unsupported transport). */
export class SdpError extends MediaError {}

/** Every RTP port pair in the configured range is taken. */
export class PortsExhaustedError extends MediaError {
  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    super(`no free RTP port pair in ${min}-${max}`);
  }
}

/** The object was used in a state that does not allow the operation (closed, not negotiated, busy). */
export { InvalidStateError } from '../util/errors.js';

/** An id that names nothing (endpoint, conference, recording, prompt). */
export class NotFoundError extends MediaError {}

/** A file that is not a WAV/G.711 file Ringside can play, or a body that is not DTMF. */
export class UnsupportedFormatError extends MediaError {}

/** An external tool (espeak-ng) failed or is missing. */
export class ToolError extends MediaError {}

/** Why a `fileUrl` could not be played (audio-fetch.ts). */
export type AudioFetchFailure = 'bad-url' | 'network' | 'http-status' | 'timeout' | 'too-large' | 'unsupported-format';

/** A remote audio file (the voice API's `fileUrl`) that could not be fetched or is not audio Ringside
 *  plays. `url` is the address with its credentials replaced by `***`, as in the message. */
export class AudioFetchError extends MediaError {
  constructor(
    readonly url: string,
    readonly reason: AudioFetchFailure,
    detail: string,
    /** The HTTP status, for `http-status`. */
    readonly status?: number,
  ) {
    super(`audio at ${url}: ${detail}`);
  }
}

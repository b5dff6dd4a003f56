/**
 * The envelope every line agekit run sends out carries, in one place for every sink (JSON lines,
 * the events file, HTTP server-sent events, MQTT): wall-clock time as ISO 8601 (`time`) and epoch
 * ms (`epoch_ms`), the `device_id`, and for events a unique `event_id` so a collector that gets a
 * message twice (MQTT QoS 1 redelivers) can drop the copy. `t_ms` (the frame clock) stays.
 *
 * @example
 * const envelope = new EventEnvelope({ deviceId: 'door1' });
 * envelope.frameFields(Date.now()); // { time: '2026-12-05T07:00:00.000Z', epoch_ms: 1796454000000, device_id: 'door1' }
 * envelope.nextEventId();           // 'door1-3f9a2c71-1'
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../core/errors.ts';

export interface EventEnvelopeOptions {
  /** Names the device in every line. Default: the host name. */
  deviceId?: string;
  /** Random per process start, so event ids stay unique across restarts of the same device. Default: 8 random hex digits. */
  bootId?: string;
}

/** The envelope fields of a frame line (wire form). */
export interface EnvelopeFields {
  time: string;
  epoch_ms: number;
  device_id: string;
}

/** `time`, `epoch_ms` and `device_id` for a line stamped at `epochMs`. */
export function envelopeFields(epochMs: number, deviceId: string): EnvelopeFields {
  return { time: new Date(epochMs).toISOString(), epoch_ms: Math.round(epochMs), device_id: deviceId };
}

/** The host name, as the default `--device-id`. */
export function defaultDeviceId(): string {
  return hostname() || 'agekit';
}

/**
 * Check a device id: it goes into MQTT payloads, event ids and file names a collector may make,
 * so it is kept to letters, digits and `._:-` (no `/`, `+`, `#`: MQTT topic characters).
 */
export function checkDeviceId(id: string, where = '--device-id'): string {
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(id)) {
    throw new UsageError(`device id must be 1-128 letters, digits or . _ : - (got "${id}")`, { where, hint: 'e.g. --device-id shop12-door1' });
  }
  return id;
}

export class EventEnvelope {
  readonly deviceId: string;
  readonly bootId: string;
  private seq = 0;

  constructor(o: EventEnvelopeOptions = {}) {
    this.deviceId = checkDeviceId(o.deviceId ?? defaultDeviceId(), 'deviceId');
    this.bootId = o.bootId ?? randomBytes(4).toString('hex');
  }

  /** `<device_id>-<boot id>-<sequence>`: unique per device and process start, increasing within one. */
  nextEventId(): string {
    return `${this.deviceId}-${this.bootId}-${++this.seq}`;
  }

  /** Events numbered so far. */
  get events(): number {
    return this.seq;
  }

  /** `time`, `epoch_ms` and `device_id` for a line stamped at `epochMs`. */
  frameFields(epochMs: number): EnvelopeFields {
    return envelopeFields(epochMs, this.deviceId);
  }
}

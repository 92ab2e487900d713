/** What `GET /v1/tracker.js?writeKey=...` bakes into the script for one site. */
export interface TrackerSettings {
  /** Absolute base URL of the collector, e.g. `http://127.0.0.1:3000` (no `/v1`). */
  endpoint: string;
  writeKey: string;
  /** When true nothing is sent, and nothing is stored, before `intent.consent(true)`. */
  consentRequired: boolean;
  /** An engaged read: this many active seconds and this maximum scroll depth (0-100). */
  engagedRead: { activeSeconds: number; scrollPercent: number };
}

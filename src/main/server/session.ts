import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { tokenMatches } from './http-guard';

/** The query parameter of the address `upres serve` prints: a one-time launch secret. */
export const LAUNCH_PARAM = 'launch';
/** The fragment key the launch redirect hands the page its session secret in. */
export const SESSION_FRAGMENT = 'upres-session';
/** The header (and, for the event socket, the query parameter) the page sends it back in. */
export const SESSION_HEADER = 'x-upres-session';
export const SESSION_QUERY = 'session';

/**
 * The browser sessions of one server instance. A browser earns one by loading the printed
 * address, whose launch secret is then spent, and holds it in two halves:
 *
 * - a cookie, sent automatically, which loads the page and its scripts. Browsers do not scope
 *   cookies by port, so every other server on 127.0.0.1 gets it too: on its own it grants no API
 *   call and no image;
 * - a page secret, handed over once in the redirect's fragment (never sent to any server), kept
 *   in the origin's storage (which *is* scoped by port) and sent in a header with each API call.
 *
 * Both are HMACs of a random session id under this instance's random key: nothing is stored, and
 * either half presented to another server, or to this one after a restart, is worthless.
 */
export class BrowserSessions {
  private readonly key = randomBytes(32);
  /** Unspent launch secrets. */
  private readonly launches = new Set<string>();

  /** `port`: the server's, known once it listens. */
  constructor(private readonly port: () => number) {}

  /**
   * The cookie's name. `__Host-` (no Domain, Path=/, Secure) keeps the cookie to this host;
   * Chromium 156 refuses a `__Host-` cookie without `Secure` but accepts `Secure` on
   * http://127.0.0.1 (loopback is a potentially trustworthy origin) and sends it back over http;
   * Firefox does the same. The port is in the name so two Upres servers in one browser keep one
   * cookie each (cookies are not port-scoped; without it the second would replace the first).
   */
  get cookieName(): string {
    return `__Host-upres-${this.port()}`;
  }

  /**
   * A browser that keeps `Secure` cookies from https only (older Safari) would drop the
   * `__Host-` cookie and could not load the page, so the same value is also set without the
   * prefix. That costs nothing here: the prefix protects nothing on loopback (any 127.0.0.1
   * origin may set a `__Host-` cookie too), and the cookie alone grants nothing.
   */
  get fallbackCookieName(): string {
    return `upres-${this.port()}`;
  }

  /** A new one-time launch secret for the printed address. */
  newLaunchSecret(): string {
    const secret = randomBytes(24).toString('base64url');
    this.launches.add(secret);
    return secret;
  }

  /** Spends a launch secret: true once for each secret this instance made, false after. */
  spendLaunch(presented: string): boolean {
    for (const secret of this.launches) {
      if (tokenMatches(presented, secret)) {
        this.launches.delete(secret);
        return true;
      }
    }
    return false;
  }

  /** A new session: the cookie's value and the page's secret. */
  newSession(): { cookie: string; pageSecret: string } {
    const id = randomBytes(16).toString('base64url');
    return { cookie: `${id}.${this.mac('cookie', id)}`, pageSecret: this.pageSecret(id) };
  }

  /** `Set-Cookie` values for a session cookie (and its fallback). */
  setCookieHeaders(cookie: string): string[] {
    const flags = 'Path=/; HttpOnly; SameSite=Strict';
    return [
      `${this.cookieName}=${cookie}; ${flags}; Secure`,
      `${this.fallbackCookieName}=${cookie}; ${flags}`,
    ];
  }

  /** The session id of a request's valid cookie, if it has one. */
  sessionOf(req: IncomingMessage): string | undefined {
    for (const name of [this.cookieName, this.fallbackCookieName]) {
      const value = readCookie(req, name);
      const dot = value?.indexOf('.') ?? -1;
      if (!value || dot <= 0) continue;
      const id = value.slice(0, dot);
      if (tokenMatches(value.slice(dot + 1), this.mac('cookie', id))) return id;
    }
    return undefined;
  }

  /** Whether a request carries a valid cookie and the page secret of that same session. */
  authorises(req: IncomingMessage, pageSecret: string | undefined | null): boolean {
    const id = this.sessionOf(req);
    return id !== undefined && tokenMatches(pageSecret, this.pageSecret(id));
  }

  private pageSecret(id: string): string {
    return this.mac('page', id);
  }

  private mac(purpose: string, id: string): string {
    return createHmac('sha256', this.key).update(`${purpose}\0${id}`).digest('base64url');
  }
}

/** A cookie's value from a request, if present. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

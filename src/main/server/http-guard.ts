import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { rendererCsp } from '../../shared/content-security-policy';

/**
 * A new access token (192 random bits, URL-safe): the header credential of non-browser clients;
 * never put in a URL or a cookie.
 */
export function newAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Compares a presented token with the real one in constant time (whatever their lengths). */
export function tokenMatches(presented: string | undefined | null, token: string): boolean {
  return typeof presented === 'string' && timingSafeEqual(digest(presented), digest(token));
}

/** Host headers a loopback page can send: anything else is DNS rebinding or a stray request. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** Origins of the served page (the Origin header of its fetches and WebSocket). */
export function allowedOrigins(port: number): Set<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

/** Headers on every response; `html` gets the page policy, anything else allows nothing. */
export function setSecurityHeaders(res: ServerResponse, port: number, html: boolean): void {
  res.setHeader(
    'Content-Security-Policy',
    html
      ? rendererCsp({ transport: 'loopback', port })
      : "default-src 'none'; frame-ancestors 'none'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), usb=()');
}

/**
 * The window's security policy (Electron security checklist, electron/electron docs/tutorial/security.md;
 * notes/reliability-security.md X3). The page is edge's renderer on `http://127.0.0.1:<port>`; nothing else may
 * load, navigate, open, attach or talk to main.
 */
import type { WebPreferences } from 'electron';
import type { InvokeEventLike, SessionLike, WebContentsLike } from './electron-api.ts';

/** Items 2–4, 6, 7, 10, 11, 12 of the checklist, plus no spellcheck service and no drag-and-drop navigation. */
export function secureWebPreferences(preloadPath: string, devTools: boolean): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools,
    // Alarm sounds must play on a station nobody has clicked yet (DESIGN §2: alarms with sound).
    autoplayPolicy: 'no-user-gesture-required',
  };
}

/**
 * The Content-Security-Policy added to every response from edge's origin. Scripts, styles and fonts only from
 * edge itself (no inline script, no eval); the WebSocket only back to edge; no plugins, frames or foreign forms.
 */
export function contentSecurityPolicy(origin: string): string {
  const ws = origin.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "media-src 'self' data:",
    `connect-src 'self' ${ws}`,
    "worker-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** Permissions the renderer may get, and only from edge's origin: going full screen (kiosk) and copying text. */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['fullscreen', 'clipboard-sanitized-write']);

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    // WebSocket URLs count as the http(s) origin they belong to.
    const scheme = parsed.protocol === 'ws:' ? 'http:' : parsed.protocol === 'wss:' ? 'https:' : parsed.protocol;
    return parsed.host === '' ? null : `${scheme}//${parsed.host}`;
  } catch {
    return null;
  }
}

export function isEdgeUrl(url: string, origin: string): boolean {
  return originOf(url) === origin;
}

/** Schemes a page load may use besides edge's origin: inline images/sounds, blobs it made, and devtools. */
const LOCAL_SCHEMES = ['data:', 'blob:', 'devtools:'];

/** Session-wide rules: CSP on edge's responses, every request to anywhere else cancelled, permissions denied. */
export function applySessionPolicy(session: SessionLike, origin: string): void {
  const csp = contentSecurityPolicy(origin);
  session.webRequest.onHeadersReceived({ urls: [`${origin}/*`] }, (details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.webRequest.onBeforeRequest((details, callback) => {
    const local = LOCAL_SCHEMES.some((s) => details.url.startsWith(s));
    callback({ cancel: !local && !isEdgeUrl(details.url, origin) });
  });
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(GRANTED_PERMISSIONS.has(permission) && isEdgeUrl(details.requestingUrl, origin));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    GRANTED_PERMISSIONS.has(permission) && isEdgeUrl(requestingOrigin, origin));
}

/**
 * Rules for every web contents the app creates (registered on `web-contents-created`, so they cover windows
 * made later too): no new windows, no webviews, and navigation only within edge's origin.
 */
export function hardenWebContents(contents: WebContentsLike, origin: string, onBlocked: (what: string, url: string) => void): void {
  contents.setWindowOpenHandler(({ url }) => {
    onBlocked('window-open', url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    onBlocked('webview', '');
  });
  contents.on('will-navigate', (event, url) => {
    if (isEdgeUrl(url, origin)) return;
    event.preventDefault();
    onBlocked('navigate', url);
  });
  contents.on('will-redirect', (event, url) => {
    if (isEdgeUrl(url, origin)) return;
    event.preventDefault();
    onBlocked('redirect', url);
  });
}

/**
 * Electron checklist item 17: an IPC message counts only if it comes from our window's web contents, from its
 * main frame (not an iframe), and that frame is showing edge's origin.
 */
export function isTrustedSender(event: InvokeEventLike, windowContentsId: number | null, origin: string): boolean {
  if (windowContentsId === null || event.sender.id !== windowContentsId) return false;
  const frame = event.senderFrame;
  if (frame === null || frame.parent !== null) return false;
  return isEdgeUrl(frame.url, origin);
}

/**
 * The kiosk page's HTML: a full-screen video with the overlay canvas on top, a speed line, a
 * status line while loading, and the error panel. Everything local; the script is /kiosk.js.
 *
 * @example
 * res.end(KIOSK_PAGE_HTML);
 */
export const KIOSK_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>agekit kiosk</title>
<style>
  html, body { margin: 0; height: 100%; background: #111; color: #eee; font: 16px/1.4 system-ui, sans-serif; overflow: hidden; }
  #stage { position: absolute; inset: 0; }
  #stage video, #stage canvas { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; }
  #stats { position: absolute; left: 0; right: 0; bottom: 0; padding: 4px 8px; background: rgba(0,0,0,0.6); font: 13px/1.4 ui-monospace, monospace; }
  #status { position: absolute; top: 40%; width: 100%; text-align: center; font-size: 20px; }
  #error { position: absolute; top: 16px; left: 16px; right: 16px; padding: 12px 16px; background: #7a1020; border: 2px solid #ff6b81; border-radius: 8px; }
  #error strong { display: block; font-size: 20px; }
  #error p { margin: 4px 0 12px; }
  #error h1 { margin: 0 0 8px; font-size: 16px; text-transform: uppercase; letter-spacing: 0.05em; }
</style>
</head>
<body>
<div id="stage"><video id="video" muted playsinline></video><canvas id="overlay"></canvas></div>
<div id="status">starting agekit kiosk…</div>
<div id="stats"></div>
<div id="error" hidden><h1>agekit kiosk: error</h1></div>
<noscript><div id="error">agekit kiosk needs JavaScript</div></noscript>
<script type="module" src="/kiosk.js"></script>
</body>
</html>
`;

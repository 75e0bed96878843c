// Imported first by app.js. Under a POSIX "C" locale (LANG=C, as on a bare X server) the
// browser reports navigator.language === 'C', which is not a BCP 47 tag: WebKit's Intl throws on
// it, and the vendored uPlot builds an Intl.NumberFormat from navigator.language as it loads.
// Report English instead in that case, so the app starts whatever the system locale.
try {
  new Intl.NumberFormat(navigator.language);
} catch {
  Object.defineProperty(navigator, 'language', { get: () => 'en-US', configurable: true });
}

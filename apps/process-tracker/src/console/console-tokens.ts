/** The console's settings (ConsoleConfig), provided by ConsoleModule. */
export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');

/** Folder of the console's built files (index.html, app.js, app.css). */
export const CONSOLE_ASSETS_DIR = Symbol('CONSOLE_ASSETS_DIR');

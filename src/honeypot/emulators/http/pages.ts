/**
 * The HTML the http emulator shows: a login page per kind of device (IP camera, router, DVR), the
 * failed-login answer and the 404 page. Written for this project (plain forms, no vendor assets), with
 * the persona's names in them; the field names are the ones bots post (username/password, user/pwd).
 */
import type { HttpPersona } from "./config.js";

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" })[c]!);

export function loginPage(p: HttpPersona, error?: string): string {
  const title = esc(p.title);
  const err = error ? `<p class="err">${esc(error)}</p>` : "";
  const action = esc(p.loginPath);
  switch (p.page) {
    case "camera":
      return page(
        title,
        `<div class="box"><h2>${title}</h2><p>Network Camera &middot; Firmware ${esc(p.firmware)}</p>${err}
<form method="post" action="${action}">
<label>User Name <input type="text" name="username" maxlength="32"></label>
<label>Password <input type="password" name="password" maxlength="32"></label>
<label>Language <select name="lang"><option value="en">English</option><option value="zh">中文</option></select></label>
<input type="submit" value="Login">
</form><p class="small">Please use a browser with plugin support for live view.</p></div>`,
      );
    case "router":
      return page(
        title,
        `<div class="box"><h2>${title}</h2><p>Wireless Router &middot; ${esc(p.hostname)}</p>${err}
<form method="post" action="${action}">
<input type="hidden" name="submit_button" value="login">
<label>Username <input type="text" name="user" value="admin"></label>
<label>Password <input type="password" name="pwd"></label>
<input type="submit" value="Log In">
</form><p class="small">Firmware Version: ${esc(p.firmware)}</p></div>`,
      );
    case "dvr":
      return page(
        title,
        `<div class="box"><h2>DVR Web Client</h2><p>${title}</p>${err}
<form method="post" action="${action}">
<label>User <input type="text" name="username" value="admin"></label>
<label>Password <input type="password" name="password"></label>
<label>Stream <select name="stream"><option value="0">Main Stream</option><option value="1">Extra Stream</option></select></label>
<input type="submit" value="Login">
</form></div>`,
      );
  }
}

export function notFoundPage(): string {
  return page("404 Not Found", "<h2>404 Not Found</h2><p>The requested URL was not found on this server.</p>");
}

export function unauthorizedPage(): string {
  return page("401 Unauthorized", "<h2>401 Unauthorized</h2><p>Authorization required.</p>");
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:Arial,sans-serif;background:#e9edf2}.box{width:340px;margin:90px auto;background:#fff;padding:24px;border:1px solid #c5ccd6}label{display:block;margin:10px 0}input[type=text],input[type=password],select{width:100%}.err{color:#c00}.small{font-size:11px;color:#777}</style>
</head><body>
${body}
</body></html>
`;
}

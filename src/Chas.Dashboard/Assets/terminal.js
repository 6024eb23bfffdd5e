// The dashboard's terminal: a shell in a task's container over the exec WebSocket. Frames are binary,
// their first byte the channel: 0 stdin, 1 stdout, 2 stderr, 3 resize {"cols","rows"}, 4 exit {"exitCode"}.
// xterm.js draws it where the server has a working one (libjs-xterm); otherwise a plain text screen does.

const encoder = new TextEncoder();
let xtermLoading = null;

function loadXterm(base) {
  if (xtermLoading) return xtermLoading;
  xtermLoading = new Promise(resolve => {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = base + 'xterm.css';
    document.head.appendChild(css);
    const script = document.createElement('script');
    script.src = base + 'xterm.js';
    // Some packagings ship xterm.js as CommonJS that cannot run in a page (Debian 12's does): then
    // window.Terminal stays undefined and the plain screen is used.
    script.onload = () => resolve(typeof window.Terminal === 'function' ? window.Terminal : null);
    script.onerror = () => resolve(null);
    document.head.appendChild(script);
  });
  return xtermLoading;
}

function frame(channel, bytes) {
  const data = new Uint8Array(bytes.length + 1);
  data[0] = channel;
  data.set(bytes, 1);
  return data;
}

// A plain screen: output with escape sequences removed, \r and \b honoured; keys become bytes for the tty.
class PlainScreen {
  constructor(element) {
    this.element = element;
    this.pre = document.createElement('pre');
    this.pre.className = 'plain-terminal';
    element.appendChild(this.pre);
    this.lines = [''];
    this.col = 0;
    this.cols = 100;
    this.rows = 24;
    this.listeners = [];
    this.onKey = e => this.key(e);
    this.onPaste = e => { this.emit(e.clipboardData.getData('text')); e.preventDefault(); };
    element.addEventListener('keydown', this.onKey);
    element.addEventListener('paste', this.onPaste);
    element.focus();
  }
  onData(listener) { this.listeners.push(listener); }
  emit(text) { for (const l of this.listeners) l(text); }
  key(e) {
    const special = { Enter: '\r', Backspace: '\x7f', Tab: '\t', Escape: '\x1b', ArrowUp: '\x1b[A', ArrowDown: '\x1b[B', ArrowRight: '\x1b[C', ArrowLeft: '\x1b[D', Delete: '\x1b[3~', Home: '\x1b[H', End: '\x1b[F' };
    let text = null;
    if (e.ctrlKey && e.key.length === 1 && /[a-z]/i.test(e.key)) text = String.fromCharCode(e.key.toUpperCase().charCodeAt(0) - 64);
    else if (special[e.key]) text = special[e.key];
    else if (e.key.length === 1 && !e.metaKey && !e.ctrlKey) text = e.key;
    if (text === null) return;
    e.preventDefault();
    this.emit(text);
  }
  write(text) {
    // CSI and OSC sequences, then any other two-byte escape.
    text = text.replace(/\x1b\[[0-9;?]*[ -\/]*[@-~]/g, '').replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '').replace(/\x1b[@-_]/g, '');
    let line = this.lines[this.lines.length - 1];
    for (const ch of text) {
      if (ch === '\r') { this.col = 0; }
      else if (ch === '\n') { this.lines[this.lines.length - 1] = line; this.lines.push(''); line = ''; this.col = 0; }
      else if (ch === '\b') { this.col = Math.max(0, this.col - 1); }
      else if (ch === '\x07') { }
      else { line = line.slice(0, this.col) + ch + line.slice(this.col + 1); this.col++; }
    }
    this.lines[this.lines.length - 1] = line;
    if (this.lines.length > 2000) this.lines.splice(0, this.lines.length - 2000);
    this.pre.textContent = this.lines.join('\n');
    this.pre.scrollTop = this.pre.scrollHeight;
  }
  dispose() {
    this.element.removeEventListener('keydown', this.onKey);
    this.element.removeEventListener('paste', this.onPaste);
    this.pre.remove();
  }
}

class XtermScreen {
  constructor(Terminal, element) {
    this.term = new Terminal({ cursorBlink: true, fontSize: 13, cols: 100, rows: 24 });
    this.term.open(element);
    this.term.focus();
  }
  get cols() { return this.term.cols; }
  get rows() { return this.term.rows; }
  onData(listener) { if (this.term.onData) this.term.onData(listener); else this.term.on('data', listener); }
  write(text) { this.term.write(text); }
  dispose() { this.term.dispose(); }
}

export async function open(element, path, token, xtermBase) {
  const Terminal = await loadXterm(xtermBase);
  element.replaceChildren();
  const screen = Terminal ? new XtermScreen(Terminal, element) : new PlainScreen(element);
  // Everything shown, as plain text, for tests and for copying.
  element.chasTranscript = '';
  const show = text => { element.chasTranscript += text; screen.write(text); };

  const url = new URL(path, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('access_token', token);
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const decoder = new TextDecoder();
  const send = (channel, bytes) => { if (socket.readyState === WebSocket.OPEN) socket.send(frame(channel, bytes)); };

  socket.onopen = () => send(3, encoder.encode(JSON.stringify({ cols: screen.cols, rows: screen.rows })));
  socket.onmessage = e => {
    const data = new Uint8Array(e.data);
    if (data.length === 0) return;
    const payload = data.subarray(1);
    if (data[0] === 1 || data[0] === 2) show(decoder.decode(payload, { stream: true }));
    else if (data[0] === 4) {
      let code = '?';
      try { code = JSON.parse(new TextDecoder().decode(payload)).exitCode; } catch { }
      show(`\r\n[exited with code ${code}]\r\n`);
    }
  };
  socket.onerror = () => show('\r\n[the connection failed]\r\n');
  socket.onclose = e => show(`\r\n[connection closed${e.reason ? ': ' + e.reason : ''}]\r\n`);
  screen.onData(text => send(0, encoder.encode(text)));

  return {
    close() {
      socket.close();
      screen.dispose();
    },
  };
}

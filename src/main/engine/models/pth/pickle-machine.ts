// A pickle interpreter that builds plain data and never executes anything: every global, call,
// object construction and persistent id goes through hooks that the caller allow-lists. It knows
// the binary opcodes of protocols 2-5 that torch.save emits, plus a few harmless neighbours.

import { refused } from '../refusal';

/** A Python value as this interpreter builds it: tuples and lists are arrays, dicts are Maps. */
export type PickleValue = unknown;

/** What the interpreter may not decide alone: each hook validates and may refuse by throwing. */
export interface PickleHooks {
  /** Resolves GLOBAL / STACK_GLOBAL; must throw for anything not allow-listed. */
  resolveGlobal(module: string, name: string): PickleValue;
  /** REDUCE: `callable(*args)`. */
  call(callable: PickleValue, args: PickleValue[]): PickleValue;
  /** NEWOBJ / NEWOBJ_EX: `cls.__new__(cls, *args)`. */
  construct(cls: PickleValue, args: PickleValue[]): PickleValue;
  /** BUILD: `obj.__setstate__(state)`; the object stays where it is on the stack. */
  build(obj: PickleValue, state: PickleValue): void;
  /** BINPERSID. */
  persistentLoad(pid: PickleValue): PickleValue;
}

export interface PickleResult {
  value: PickleValue;
  /** Offset just past the STOP opcode, where a following pickle would start. */
  end: number;
}

// Generous for any state dict (torch batches SETITEMS by 1000; a 1000-layer model memoises a few
// tens of thousands of objects) yet small enough that a crafted stream cannot exhaust memory.
const MAX_STACK = 1 << 20;
const MAX_MEMO = 1 << 22;
const MAX_OPS = 1 << 25;
const MAX_GLOBAL_NAME = 512;

const NAMES: Record<number, string> = {
  0x28: 'MARK',
  0x2e: 'STOP',
  0x30: 'POP',
  0x31: 'POP_MARK',
  0x32: 'DUP',
  0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES',
  0x47: 'BINFLOAT',
  0x4a: 'BININT',
  0x4b: 'BININT1',
  0x4d: 'BININT2',
  0x4e: 'NONE',
  0x51: 'BINPERSID',
  0x52: 'REDUCE',
  0x54: 'BINSTRING',
  0x55: 'SHORT_BINSTRING',
  0x58: 'BINUNICODE',
  0x5d: 'EMPTY_LIST',
  0x61: 'APPEND',
  0x62: 'BUILD',
  0x63: 'GLOBAL',
  0x65: 'APPENDS',
  0x68: 'BINGET',
  0x6a: 'LONG_BINGET',
  0x29: 'EMPTY_TUPLE',
  0x71: 'BINPUT',
  0x72: 'LONG_BINPUT',
  0x73: 'SETITEM',
  0x74: 'TUPLE',
  0x75: 'SETITEMS',
  0x7d: 'EMPTY_DICT',
  0x80: 'PROTO',
  0x81: 'NEWOBJ',
  0x85: 'TUPLE1',
  0x86: 'TUPLE2',
  0x87: 'TUPLE3',
  0x88: 'NEWTRUE',
  0x89: 'NEWFALSE',
  0x8a: 'LONG1',
  0x8b: 'LONG4',
  0x8c: 'SHORT_BINUNICODE',
  0x8d: 'BINUNICODE8',
  0x8e: 'BINBYTES8',
  0x92: 'NEWOBJ_EX',
  0x93: 'STACK_GLOBAL',
  0x94: 'MEMOIZE',
  0x95: 'FRAME',
};

const MARK = Symbol('mark');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Interprets one pickle starting at `start`, through the caller's allow-listing hooks. */
export function runPickle(
  bytes: Uint8Array,
  start: number,
  hooks: PickleHooks,
  label: string,
): PickleResult {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let pos = start;
  let opAt = start;
  let op = 0;

  const fail = (why: string): never => {
    // `why` names the opcode or limit: a technical reason, quoted as it is in any language.
    throw refused('modelFiles.pickleMalformed', { file: label, offset: String(opAt), reason: why });
  };
  const need = (n: number): number => {
    if (n < 0 || pos + n > bytes.length)
      fail(`${NAMES[op]} runs past the end of the data (truncated?)`);
    const at = pos;
    pos += n;
    return at;
  };
  const push = (v: unknown): void => {
    if (stack.length >= MAX_STACK) fail('the stack grows beyond any checkpoint');
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK)
      fail(`stack underflow in ${NAMES[op]}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK)
      fail(`stack underflow in ${NAMES[op]}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const m = stack.lastIndexOf(MARK);
    if (m < 0) fail(`${NAMES[op]} without a MARK`);
    const items = stack.splice(m);
    items.shift();
    return items;
  };
  const put = (index: number): void => {
    if (memo.size >= MAX_MEMO && !memo.has(index)) fail('the memo grows beyond any checkpoint');
    memo.set(index, top());
  };
  const get = (index: number): void => {
    if (!memo.has(index)) fail(`memo entry ${index} was never stored`);
    push(memo.get(index));
  };
  const text = (n: number): string => {
    const at = need(n);
    try {
      return utf8.decode(bytes.subarray(at, at + n));
    } catch {
      return fail('a string is not valid UTF-8');
    }
  };
  const latin1 = (n: number): string => {
    const at = need(n);
    return Buffer.from(bytes.subarray(at, at + n)).toString('latin1');
  };
  const blob = (n: number): Uint8Array => {
    const at = need(n);
    return bytes.slice(at, at + n);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > MAX_GLOBAL_NAME) fail('a GLOBAL name is unterminated or too long');
    return latin1(end - pos + 1).slice(0, -1);
  };
  const length8 = (): number => {
    const n = dv.getBigUint64(need(8), true);
    return n > BigInt(bytes.length) ? fail('a length exceeds the data') : Number(n);
  };
  const long = (n: number): number | bigint => {
    const at = need(n);
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]);
    if (bytes[at + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v;
  };
  const setItems = (dict: unknown, items: unknown[]): void => {
    if (!(dict instanceof Map)) return fail(`${NAMES[op]} on something that is not a dict`);
    if (items.length % 2) fail(`${NAMES[op]} with an odd number of items`);
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const append = (list: unknown, items: unknown[]): void => {
    if (!Array.isArray(list) || Object.isFrozen(list))
      fail(`${NAMES[op]} on something that is not a list`);
    for (const item of items) (list as unknown[]).push(item);
  };
  const args = (v: unknown): unknown[] =>
    Array.isArray(v) ? v : fail(`${NAMES[op]} arguments are not a tuple`);
  const tuple = (items: unknown[]): unknown[] => Object.freeze(items) as unknown[];

  for (let ops = 0; ; ops++) {
    if (ops >= MAX_OPS) fail('the pickle runs longer than any checkpoint');
    opAt = pos;
    if (pos >= bytes.length) fail('the data ends before the pickle does (truncated?)');
    op = bytes[pos++];
    switch (op) {
      case 0x80: // PROTO
        if (bytes[need(1)] > 5) fail(`pickle protocol ${bytes[pos - 1]} is newer than 5`);
        break;
      case 0x95: // FRAME: a buffering hint; the frame's opcodes simply follow
        if (length8() > bytes.length - pos) fail('a frame runs past the end of the data');
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`STOP with ${stack.length} items on the stack`);
        return { value: pop(), end: pos };
      case 0x28: // MARK
        push(MARK);
        break;
      case 0x30: // POP
        if (stack[stack.length - 1] === MARK) stack.pop();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4a: // BININT
        push(dv.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        push(bytes[need(1)]);
        break;
      case 0x4d: // BININT2
        push(dv.getUint16(need(2), true));
        break;
      case 0x8a: // LONG1
        push(long(bytes[need(1)]));
        break;
      case 0x8b: {
        // LONG4
        const n = dv.getInt32(need(4), true);
        if (n > 64) fail(`a ${n}-byte integer is larger than any checkpoint holds`);
        push(long(n));
        break;
      }
      case 0x47: // BINFLOAT (big-endian, unlike everything else)
        push(dv.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        push(text(dv.getUint32(need(4), true)));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(text(bytes[need(1)]));
        break;
      case 0x8d: // BINUNICODE8
        push(text(length8()));
        break;
      case 0x54: // BINSTRING: Python 2 str; torch reads these as ASCII
        push(latin1(dv.getInt32(need(4), true)));
        break;
      case 0x55: // SHORT_BINSTRING
        push(latin1(bytes[need(1)]));
        break;
      case 0x42: // BINBYTES
        push(blob(dv.getUint32(need(4), true)));
        break;
      case 0x43: // SHORT_BINBYTES
        push(blob(bytes[need(1)]));
        break;
      case 0x8e: // BINBYTES8
        push(blob(length8()));
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x7d: // EMPTY_DICT
        push(new Map());
        break;
      case 0x29: // EMPTY_TUPLE
        push(tuple([]));
        break;
      case 0x74: // TUPLE
        push(tuple(popMark()));
        break;
      case 0x85: // TUPLE1
        push(tuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        push(tuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        push(tuple([pop(), b, c]));
        break;
      }
      case 0x61: {
        // APPEND
        const item = pop();
        append(top(), [item]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        put(bytes[need(1)]);
        break;
      case 0x72: // LONG_BINPUT
        put(dv.getUint32(need(4), true));
        break;
      case 0x94: // MEMOIZE
        put(memo.size);
        break;
      case 0x68: // BINGET
        get(bytes[need(1)]);
        break;
      case 0x6a: // LONG_BINGET
        get(dv.getUint32(need(4), true));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        push(hooks.resolveGlobal(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          fail('STACK_GLOBAL names are not strings');
        push(hooks.resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const a = args(pop());
        push(hooks.call(pop(), a));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const a = args(pop());
        push(hooks.construct(pop(), a));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        const kwargs = pop();
        const a = args(pop());
        const cls = pop();
        if (!(kwargs instanceof Map) || kwargs.size > 0) fail('NEWOBJ_EX with keyword arguments');
        push(hooks.construct(cls, a));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        hooks.build(top(), state);
        break;
      }
      case 0x51: // BINPERSID
        push(hooks.persistentLoad(pop()));
        break;
      default:
        fail(`unknown or unsupported opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

/**
 * A client of the jsii runtime (`@jsii/runtime`), the process behind every jsii binding: it speaks
 * the runtime's JSON protocol (one message a line on stdin/stdout) the way the Python binding does.
 * Requests are `{"api": ...}` messages; while one is pending, the runtime may call back into objects
 * implemented here (`{"callback": ...}`), which are answered with a top-level `{"complete": ...}`,
 * possibly after nested requests of their own. Values cross as the kernel's wire types: object
 * references (`$jsii.byref`), structs (`$jsii.struct`), enums (`$jsii.enum`) and maps (`$jsii.map`).
 *
 * The message shapes are those of `@jsii/kernel`'s `api.d.ts`.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';

export const BYREF = '$jsii.byref';
export const INTERFACES = '$jsii.interfaces';

/** A reference to an object that lives in the runtime. */
export interface ObjRef {
  readonly [BYREF]: string;
  readonly [INTERFACES]?: string[];
}

/** Implementations of an object's members on this side, called back by the runtime. */
export interface ClientObject {
  /** Methods by their jsii name, called with decoded arguments; they return a wire value. */
  readonly methods?: { [name: string]: (...args: any[]) => Promise<any> };
  /** Property getters by jsii name; they return a wire value. */
  readonly properties?: { [name: string]: () => Promise<any> };
}

/** A struct argument, as bindings send one: the struct's fully qualified name and its fields. */
export function struct(fqn: string, data: { [key: string]: any }): any {
  const fields = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
  return { '$jsii.struct': { fqn, data: fields } };
}

/** An enum member, `fqn/MEMBER`. */
export function enumMember(fqn: string, member: string): any {
  return { '$jsii.enum': `${fqn}/${member}` };
}

/** A map (`{ [key: string]: T }`) argument. */
export function map(entries: { [key: string]: any }): any {
  return { '$jsii.map': entries };
}

/** The fully qualified name of the type an object reference was created as (`fqn@id`). */
export function fqnOf(ref: ObjRef): string {
  return ref[BYREF].replace(/@\d+$/, '');
}

interface Callback {
  readonly cbid: string;
  readonly cookie?: string;
  readonly invoke?: { objref: ObjRef; method: string; args?: any[] };
  readonly get?: { objref: ObjRef; property: string };
  readonly set?: { objref: ObjRef; property: string; value: any };
}

export class JsiiClient {
  /**
   * Starts the runtime as the bindings do: `node <@jsii/runtime>/webpack/bin/jsii-runtime.js`.
   *
   * @param env extra environment, such as `JSII_RUNTIME_PACKAGE_CACHE_ROOT`
   */
  public static async start(env: { [key: string]: string } = {}): Promise<JsiiClient> {
    const script = path.join(path.dirname(require.resolve('@jsii/runtime/package.json')), 'webpack', 'bin', 'jsii-runtime.js');
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new JsiiClient(child);
    const hello = await client.next();
    if (typeof hello.hello !== 'string') {
      throw new Error(`the runtime did not say hello: ${JSON.stringify(hello)}`);
    }
    client.runtimeVersion = hello.hello;
    return client;
  }

  /** What the runtime said in its hello, `@jsii/runtime@<version>`. */
  public runtimeVersion = '';
  /** Callbacks answered, by `method` or `property` name. */
  public readonly callbacks = new Map<string, number>();

  private readonly objects = new Map<string, ClientObject>();
  private readonly queue: any[] = [];
  private readonly waiting: Array<(message: any) => void> = [];
  private stderr = '';
  private exited?: string;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    readline.createInterface({ input: child.stdout }).on('line', (line) => this.push(JSON.parse(line)));
    // The runtime wraps its own stdout and stderr in JSON lines on stderr, base64-encoded.
    readline.createInterface({ input: child.stderr }).on('line', (line) => {
      try {
        const chunk = JSON.parse(line);
        this.stderr += Buffer.from(chunk.stderr ?? chunk.stdout ?? '', 'base64').toString('utf8');
      } catch {
        this.stderr += `${line}\n`;
      }
    });
    child.on('exit', (code, signal) => {
      this.exited = `the jsii runtime exited (${code ?? signal}):\n${this.stderr}`;
      this.push({ exit: code ?? signal });
    });
  }

  /** Loads a package from its npm tarball. Its jsii dependencies must be loaded first. */
  public async load(name: string, version: string, tarball: string): Promise<{ assembly: string; types: number }> {
    return this.request({ api: 'load', name, version, tarball });
  }

  /** `new fqn(...args)`. */
  public async create(fqn: string, args: any[] = []): Promise<ObjRef> {
    return this.request({ api: 'create', fqn, args });
  }

  /**
   * An object implemented here, for the interfaces given, as a Python class decorated with
   * `@jsii.implements(...)` is: every member given becomes an override that the runtime calls back.
   */
  public async implement(interfaces: string[], implementation: ClientObject): Promise<ObjRef> {
    const overrides = [
      ...Object.keys(implementation.methods ?? {}).map((method) => ({ method })),
      ...Object.keys(implementation.properties ?? {}).map((property) => ({ property })),
    ];
    const ref: ObjRef = await this.request({ api: 'create', fqn: 'Object', interfaces, overrides, args: [] });
    this.objects.set(ref[BYREF], implementation);
    return ref;
  }

  public async invoke(objref: ObjRef, method: string, args: any[] = []): Promise<any> {
    return (await this.request({ api: 'invoke', objref, method, args })).result;
  }

  public async sinvoke(fqn: string, method: string, args: any[] = []): Promise<any> {
    return (await this.request({ api: 'sinvoke', fqn, method, args })).result;
  }

  public async get(objref: ObjRef, property: string): Promise<any> {
    return (await this.request({ api: 'get', objref, property })).value;
  }

  public async sget(fqn: string, property: string): Promise<any> {
    return (await this.request({ api: 'sget', fqn, property })).value;
  }

  /** Ends the runtime: closing stdin is how bindings say goodbye. */
  public async close(): Promise<void> {
    if (this.exited === undefined) {
      const exit = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.stdin.end();
      await exit;
    }
  }

  /** Sends a request and answers callbacks until its response arrives. */
  private async request(message: any): Promise<any> {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
    for (;;) {
      const response = await this.next();
      if ('callback' in response) {
        await this.answer(response.callback);
      } else if ('ok' in response) {
        return response.ok;
      } else if ('error' in response) {
        throw new Error(`jsii ${message.api} ${message.fqn ?? message.method ?? message.property ?? message.name ?? ''} failed: `
          + `${response.error}\n${response.stack ?? ''}`);
      } else {
        throw new Error(this.exited ?? `unexpected message from the runtime: ${JSON.stringify(response)}`);
      }
    }
  }

  private async answer(callback: Callback): Promise<void> {
    const target = callback.invoke ?? callback.get ?? callback.set!;
    const implementation = this.objects.get(target.objref[BYREF]);
    const member = callback.invoke?.method ?? callback.get?.property ?? `set ${callback.set?.property}`;
    this.callbacks.set(member, (this.callbacks.get(member) ?? 0) + 1);
    let complete: any;
    try {
      const result = callback.invoke
        ? await implementation?.methods?.[callback.invoke.method]?.(...(callback.invoke.args ?? []))
        : callback.get ? await implementation?.properties?.[callback.get.property]?.() : undefined;
      complete = { cbid: callback.cbid, result };
    } catch (error) {
      complete = { cbid: callback.cbid, err: String((error as Error).stack ?? error) };
    }
    this.child.stdin.write(`${JSON.stringify({ complete })}\n`);
  }

  private push(message: any): void {
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter(message);
    } else {
      this.queue.push(message);
    }
  }

  private next(): Promise<any> {
    const message = this.queue.shift();
    if (message !== undefined) {
      return Promise.resolve(message);
    }
    if (this.exited !== undefined) {
      return Promise.reject(new Error(this.exited));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

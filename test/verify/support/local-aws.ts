/**
 * Starts and stops ./local-aws-server.mjs (the issuer, token signer and STS stand-ins) as a child Node
 * process, bounded in time, and talks to it over 127.0.0.1. A separate process because `jose` is
 * ESM-only, which jest's CommonJS runtime cannot load; it also keeps the servers apart from the
 * AWS SDK under test, as they are in real life.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as path from 'path';

export interface LocalAwsConfig {
  readonly account: string;
  /** The IAM OIDC providers registered in the account. */
  readonly providers: Array<{ arn: string; url: string; clientIds: string[] }>;
  /** The roles, with their trust policies already resolved to what IAM stores. */
  readonly roles: Array<{ arn: string; trustPolicy: any; maxSessionDuration?: number }>;
  /** Issuer URLs (https, EKS-looking) to serve discovery and JWKS for, and sign tokens as. */
  readonly issuers: string[];
}

export interface MintOptions {
  readonly issuer: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly audience: string;
  readonly expiresIn: number;
  readonly foreignKey?: boolean;
}

export interface StsLogEntry {
  readonly accessKeyId?: string;
  readonly roleArn?: string;
  readonly sub?: string;
  readonly aud?: string;
  readonly issuer?: string;
  readonly error?: string;
  readonly message?: string;
}

export class LocalAws {
  public static async start(config: LocalAwsConfig, timeoutMs = 90_000): Promise<LocalAws> {
    const child = spawn(process.execPath, [path.join(__dirname, 'local-aws-server.mjs'), JSON.stringify({ ...config, maxLifetimeSeconds: 300 })], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: path.join(__dirname, '..', '..', '..'),
    });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill(); reject(new Error(`local-aws did not start within ${timeoutMs} ms: ${stderr}`)); }, timeoutMs);
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line).ready.port);
        }
      });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`local-aws exited with ${code}: ${stderr}`)); });
    });
    return new LocalAws(child, port);
  }

  private constructor(private readonly child: ChildProcessWithoutNullStreams, public readonly port: number) {}

  /** The STS endpoint, for `AWS_ENDPOINT_URL_STS`. */
  public get stsEndpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Mints a projected service account token, as the API server does for a pod's projected volume. */
  public async token(options: MintOptions): Promise<string> {
    const response = await fetch(`${this.stsEndpoint}/__control/token`, { method: 'POST', body: JSON.stringify(options) });
    const body: any = await response.json();
    if (!response.ok) {
      throw new Error(body.error);
    }
    return body.token;
  }

  /** What STS did: sessions issued and errors returned, and how often the issuer was fetched. */
  public async log(): Promise<{ sessions: StsLogEntry[]; issuerFetches: number }> {
    const response = await fetch(`${this.stsEndpoint}/__control/log`);
    return response.json() as any;
  }

  public async stop(): Promise<void> {
    if (this.child.exitCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

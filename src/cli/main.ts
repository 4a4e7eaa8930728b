#!/usr/bin/env node
/**
 * The `ringside` command. `serve` runs the platform; `demo` tours it with simulated phones and a carrier;
 * `check-config` validates a provisioning file without starting anything; `export-config` writes the store's
 * provisioning back out as one.
 */
import { Command, Option } from 'commander';
import { runServe } from './serve-command.js';
import { runDemo, type DemoOptions } from './demo-command.js';
import { runCheckConfig } from './check-config-command.js';
import { runExportConfig, type ExportOptions } from './export-config-command.js';
import { ENV } from '../app/settings.js';
import { packageInfo } from '../util/package-info.js';

const pkg = packageInfo();

const program = new Command('ringside')
  .description('Ringside: a self-hosted phone platform that turns calls and texts into real-time events.')
  .version(pkg.version);

program
  .command('serve')
  .description('Run Ringside: load provisioning, open the store and the event log, serve the HTTP APIs, the WebSocket API and SIP.')
  .addOption(new Option('--config <file>', 'provisioning file (YAML or JSON) loaded into the store at start; without it the store keeps the last loaded provisioning').env(ENV.config))
  .addOption(new Option('--data <dir>', 'data directory: database, event log, recordings, media').env(ENV.data).default('./data'))
  .addOption(new Option('--host <address>', 'address to listen on for HTTP and SIP').env(ENV.host).default('0.0.0.0'))
  .addOption(new Option('--http-port <port>', 'HTTP port: REST APIs, the WebSocket API at /, recordings (0 = any free port)').env(ENV.httpPort).default('8080'))
  .addOption(new Option('--sip-port <port>', 'SIP port for UDP and TCP').env(ENV.sipPort).default('5060'))
  .addOption(new Option('--sip-tls-port <port>', 'SIP over TLS port (turns TLS on; default 5061 when TLS is on)').env(ENV.sipTlsPort))
  .addOption(new Option('--https-port <port>', 'HTTPS port for the APIs and SIP over secure WebSocket (turns TLS on; default 8443 when TLS is on)').env(ENV.httpsPort))
  .addOption(new Option('--tls-cert <file>', 'PEM certificate (chain) for SIP TLS and HTTPS; with TLS on and no file, a self-signed pair is made in the data directory').env(ENV.tlsCert))
  .addOption(new Option('--tls-key <file>', 'PEM private key of --tls-cert').env(ENV.tlsKey))
  .addOption(new Option('--tls-ca <file>', 'PEM CA certificates trusted, beside the system ones, for the SIP TLS peers Ringside connects to (trunks, phones whose connection closed)').env(ENV.tlsCa))
  .addOption(new Option('--sip-ws-path <path>', 'path of SIP over WebSocket (RFC 7118, subprotocol "sip") on the HTTP and HTTPS ports').env(ENV.sipWsPath).default('/sip'))
  .addOption(new Option('--rtp-ports <low-high>', 'UDP port range for RTP media').env(ENV.rtpPorts).default('10000-20000'))
  .addOption(new Option('--public-url <url>', 'base URL clients reach this Ringside at, used inside event payloads (default: the config\'s server.publicUrl, else http://<sip address>:<http-port>)').env(ENV.publicUrl))
  .addOption(new Option('--sip-address <host>', 'address phones and carriers are told to reach us at, in SIP Via/Contact (default: the config\'s server.sipAddress, else --host when it is one address, else the address of the interface each peer is reached by)').env(ENV.sipAddress))
  .addOption(new Option('--media-address <ip>', 'IP address in SDP c= lines, where peers send RTP (default: server.mediaAddress, else the SIP address when it is an IP, else per peer like SIP)').env(ENV.mediaAddress))
  .addOption(new Option('--store <url>', 'where configuration and state live: sqlite (the data directory) or postgres://user@host:port/database (several nodes share it; docs/scale-out.md)').env(ENV.store).default('sqlite'))
  .addOption(new Option('--log <url>', 'the event log: sqlite (the data directory) or nats://host:port (NATS JetStream, shared by several nodes; docs/scale-out.md)').env(ENV.log).default('sqlite'))
  .addOption(new Option('--node-id <id>', 'this node\'s id in a cluster (default: the host name)').env(ENV.nodeId))
  .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent').env(ENV.logLevel).default('info'))
  .addOption(new Option('--log-format <format>', 'json (one JSON line per event, for machines) or pretty (readable lines and a start-up banner, for people); default: pretty when stderr is a terminal, else json').env(ENV.logFormat))
  .action(async (opts: Record<string, string | undefined>) => {
    process.exitCode = await runServe(opts);
  });

program
  .command('demo')
  .description('A scripted tour: simulated phones and a carrier make one call of each kind (real SIP and RTP over loopback) while the RealTime events are printed as a WebSocket client receives them (docs/demo.md).')
  .addOption(new Option('--url <url>', 'HTTP base URL of a running Ringside with examples/demo.yaml').default('http://127.0.0.1:8080'))
  .addOption(new Option('--sip <host:port>', "that Ringside's SIP address (UDP)").default('127.0.0.1:5060'))
  .addOption(new Option('--carrier <host:port>', "where the simulated carrier listens: the demo trunk's address (ignored with --standalone, which picks a free port)").default('127.0.0.2:5090'))
  .addOption(new Option('--standalone', 'start a Ringside of its own in this process (examples/demo.yaml, a temporary data directory, free ports) instead of using --url/--sip'))
  .addOption(new Option('--log-level <level>', "Ringside's structured logs to stderr (fatal, error, warn, info, debug, trace); silent when absent"))
  .action(async (opts: DemoOptions) => {
    process.exitCode = await runDemo(opts);
  });

program
  .command('check-config')
  .description('Validate a provisioning file (YAML or JSON) as serve --config would, without starting: prints a summary and exits 0, or every problem and exits 2.')
  .argument('<file>', 'the provisioning file')
  .action((file: string) => {
    process.exitCode = runCheckConfig(file);
  });

program
  .command('export-config')
  .description("Write the store's current provisioning (the file's seed plus REST edits) as a provisioning file (YAML) that check-config and serve --config accept: to stdout, or to --out FILE. Passwords and API secrets are exported as their stored hashes.")
  .addOption(new Option('--config <file>', 'provisioning file: seeds the store first, as serve --config would').env(ENV.config))
  .addOption(new Option('--data <dir>', 'data directory of the SQLite store').env(ENV.data).default('./data'))
  .addOption(new Option('--store <url>', 'sqlite (the data directory) or postgres://user@host:port/database').env(ENV.store).default('sqlite'))
  .addOption(new Option('--out <file>', 'write here (mode 0600) instead of stdout'))
  .action(async (opts: ExportOptions) => {
    process.exitCode = await runExportConfig(opts);
  });

await program.parseAsync(process.argv);

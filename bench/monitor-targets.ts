// Loopback web services for `npm run bench -- monitor`, in a process of their own: 40 small results pages on
// 127.0.10.1–40, port 8080. Prints "ready" when they listen.
import http from 'node:http';

const page = '<html><head><title>County results</title></head><body><h1>Unofficial results</h1><p>Candidate A: 1,204</p><p>Candidate B: 1,180</p></body></html>';
for (let i = 1; i <= 40; i += 1) {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(8080, `127.0.10.${i}`, () => r()));
}
process.stdout.write('ready\n');

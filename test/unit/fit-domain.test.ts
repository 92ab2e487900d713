import { Firmographics, isFreeMailDomain, normalizeDomain } from '@intent/fit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStudentDomain } from '../../packages/fit/src/domain';

describe('normalizeDomain', () => {
  it.each([
    ['https://www.Acme.com/path', 'acme.com'],
    ['acme.com', 'acme.com'],
    ['  ACME.COM  ', 'acme.com'],
    ['http://acme.com:8080/a?b=c#d', 'acme.com'],
    ['acme.com:443', 'acme.com'],
    ['www.acme.co.uk.', 'acme.co.uk'],
    ['//cdn.acme.io/x.js', 'cdn.acme.io'],
    ['jane.doe@Acme.com', 'acme.com'],
    ['https://user:pw@eu.acme.com', 'eu.acme.com'],
    ['münchen.de', 'xn--mnchen-3ya.de'],
  ])('reduces %j to %j', (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    'not a domain',
    'localhost',
    'acme',
    'http://',
    '192.168.0.1',
    'http://[::1]/',
    '-acme.com',
    'acme-.com',
    'acme..com',
    'javascript:alert(1)',
    'acme.c0m',
    `${'a'.repeat(64)}.com`,
  ])('rejects junk %j as undefined', (input) => {
    expect(normalizeDomain(input)).toBeUndefined();
  });

  it('is idempotent and ignores scheme, www and path for any valid domain', () => {
    fc.assert(
      fc.property(fc.domain(), fc.webPath(), (domain, path) => {
        const d = normalizeDomain(domain);
        if (d === undefined) return;
        expect(normalizeDomain(d)).toBe(d);
        expect(normalizeDomain(`https://www.${d}${path}`)).toBe(d.startsWith('www.') ? d.slice(4) : d);
        expect(d).toBe(d.toLowerCase());
        expect(d.startsWith('www.')).toBe(false);
      }),
    );
  });
});

describe('free-mail and student domains', () => {
  it.each(['gmail.com', 'outlook.com', 'comcast.net', 'GMX.de', 'https://www.yahoo.co.uk/'])(
    'recognises %s as free mail or ISP',
    (d) => expect(isFreeMailDomain(d)).toBe(true),
  );
  it.each(['acme.com', 'bigbank.example', 'snowflake.com'])('does not call %s free mail', (d) =>
    expect(isFreeMailDomain(d)).toBe(false),
  );
  it.each([
    'mit.edu',
    'cs.stanford.edu',
    'ox.ac.uk',
    'unimelb.edu.au',
    'u-tokyo.ac.jp',
    'tsinghua.edu.cn',
    'school.sch.uk',
    'lausd.k12.ca.us',
  ])('recognises %s as academic', (d) => expect(isStudentDomain(d)).toBe(true));
  it.each(['acme.com', 'education.com', 'edu.com', 'coursera.org', 'teach.ac'])('does not call %s academic', (d) =>
    expect(isStudentDomain(d)).toBe(false),
  );
});

describe('Firmographics', () => {
  it('normalises the domain and coerces CSV cells, blanks meaning unknown', () => {
    const parsed = Firmographics.parse({
      domain: 'https://www.Acme.com/',
      name: 'Acme',
      employees: '1200',
      revenueUsd: '',
      industry: 'Software',
      country: 'us',
      techStack: 'Snowflake; dbt ;',
      growthStage: '',
    });
    expect(parsed).toEqual({
      domain: 'acme.com',
      name: 'Acme',
      employees: 1200,
      industry: 'Software',
      country: 'US',
      techStack: ['snowflake', 'dbt'],
    });
  });

  it('rejects an invalid domain, a non-ISO country and negative counts with field paths', () => {
    const r = Firmographics.safeParse({ domain: 'junk', country: 'USA', employees: -3 });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['country', 'domain', 'employees']);
  });
});

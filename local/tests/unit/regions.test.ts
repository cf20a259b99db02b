import { MAX_REGIONS, Regional } from '../../src/regions.js';

describe('Regional', () => {
  const make = () => {
    const made: string[] = [];
    const regions = new Regional('us-east-1', 'home', (region) => {
      made.push(region);
      return `made for ${region}`;
    });
    return { regions, made };
  };

  it("serves the stack's own region, and an unsigned request, with the home value", () => {
    const { regions, made } = make();

    expect(regions.in('us-east-1')).toBe('home');
    expect(regions.in(undefined)).toBe('home');
    expect(made).toEqual([]);
  });

  it('makes another region once, on first use', () => {
    const { regions, made } = make();

    expect(regions.in('eu-west-1')).toBe('made for eu-west-1');
    expect(regions.in('eu-west-1')).toBe('made for eu-west-1');
    expect(regions.in('us-gov-west-1')).toBe('made for us-gov-west-1');
    expect(made).toEqual(['eu-west-1', 'us-gov-west-1']);
    expect(regions.all()).toEqual(['home', 'made for eu-west-1', 'made for us-gov-west-1']);
  });

  it.each(['moon-1', 'EU-WEST-1', 'eu-west', '', 'eu-west-1/../x'])('refuses the region name %p', (name) => {
    const { regions, made } = make();

    expect(() => regions.in(name)).toThrow(expect.objectContaining({ code: 'InvalidSignatureException' }));
    expect(made).toEqual([]);
  });

  it(`refuses a region beyond the ${MAX_REGIONS} AWS could have, keeping those it made`, () => {
    const { regions, made } = make();
    const names = Array.from({ length: MAX_REGIONS }, (_, index) => `xx-test-${index}`);

    const answers = names.map((name) => {
      try {
        return regions.in(name);
      } catch (error) {
        return (error as { code: string }).code;
      }
    });

    expect(made).toHaveLength(MAX_REGIONS - 1);
    expect(answers.at(-1)).toBe('InvalidSignatureException');
    expect(regions.in('xx-test-0')).toBe('made for xx-test-0');
  });
});

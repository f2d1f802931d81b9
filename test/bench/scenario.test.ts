/** bench/lib/scenario.ts: the mix a bench or drill is asked for, read and written back. */
import { mixText, parseMix } from '../../bench/lib/scenario';

describe('bench mix', () => {
  it('When a mix is written back, then paths without weight are left out and parseMix reads it to the same weights', () => {
    const mix = parseMix('chorus=70, email=10,private=10,processed=10');
    expect(mixText(mix)).toBe('chorus=70,email=10,private=10,processed=10');
    expect(parseMix(mixText(mix))).toEqual(mix);
  });

  it('When a path is unknown or nothing has weight, then the error names what to write', () => {
    expect(() => parseMix('chorus=70,lost=3')).toThrow(/"lost=3" is not a path weight.*paths: chorus, email, private, processed, open/);
    expect(() => parseMix('open=0')).toThrow(/no weight/);
  });
});

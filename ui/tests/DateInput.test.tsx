import { fireEvent, render, screen } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { describe, expect, it } from 'vitest';
import { DateInput } from '../src/components/DateInput';

function Owner({ initial, seen }: { initial: string; seen: string[] }) {
  const [value, setValue] = useState(initial);
  return (
    <DateInput
      testid="d"
      value={value}
      onChange={(v) => {
        seen.push(v);
        setValue(v);
      }}
    />
  );
}

describe('DateInput', () => {
  it('reads and takes YYYY-MM-DD whatever the locale: digits are grouped as they are typed', () => {
    const seen: string[] = [];
    render(<Owner initial="" seen={seen} />);
    const input = screen.getByTestId('d') as HTMLInputElement;
    expect(input.type).toBe('text');
    expect(input.placeholder).toBe('YYYY-MM-DD');
    fireEvent.input(input, { target: { value: '202405' } });
    expect(input.value).toBe('2024-05');
    expect(seen).toEqual([]);
    fireEvent.input(input, { target: { value: '2024-0530' } });
    expect(input.value).toBe('2024-05-30');
    expect(seen).toEqual(['2024-05-30']);
  });

  it('goes back to the date in use when an impossible one is left, and says so', () => {
    const seen: string[] = [];
    render(<Owner initial="2024-05-30" seen={seen} />);
    const input = screen.getByTestId('d') as HTMLInputElement;
    fireEvent.input(input, { target: { value: '2024-02-31' } });
    expect(input.value).toBe('2024-02-31');
    fireEvent.blur(input);
    expect(input.value).toBe('2024-05-30');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(seen).toEqual([]);
    fireEvent.input(input, { target: { value: '' } });
    expect(seen).toEqual(['']);
    expect(input.getAttribute('aria-invalid')).toBeNull();
  });

  it('follows a value set from outside', () => {
    const { rerender } = render(<DateInput testid="d" value="2024-01-02" onChange={() => {}} />);
    rerender(<DateInput testid="d" value="2024-03-04" onChange={() => {}} />);
    expect((screen.getByTestId('d') as HTMLInputElement).value).toBe('2024-03-04');
  });
});

import { useId, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import type { PlainError } from '../api/errors';

// Form parts that are labelled for screen readers: each control has a visible label, its
// hint and error are tied to it with aria-describedby, and an error is announced.

interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <div className="hint" id={hintId}>
          {hint}
        </div>
      )}
      {children({ id, describedBy, invalid: !!error })}
      {error && (
        <div className="field-error" id={errorId}>
          {error}
        </div>
      )}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> & { label: string; hint?: ReactNode; error?: string };
export function TextField({ label, hint, error, ...rest }: InputProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...rest} />}
    </Field>
  );
}

type AreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> & { label: string; hint?: ReactNode; error?: string };
export function TextArea({ label, hint, error, ...rest }: AreaProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => <textarea id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...rest} />}
    </Field>
  );
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> & { label: string; hint?: ReactNode; error?: string };
export function SelectField({ label, hint, error, children, ...rest }: SelectProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <select id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...rest}>
          {children}
        </select>
      )}
    </Field>
  );
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean; variant?: 'primary' | 'secondary' | 'danger' | 'link' };
export function Button({ busy, variant = 'secondary', children, disabled, className, ...rest }: ButtonProps) {
  return (
    <button className={`btn btn-${variant}${className ? ` ${className}` : ''}`} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {children}
      {busy && <span className="spinner" aria-hidden="true" />}
    </button>
  );
}

// An API error as a sentence, next to what caused it; announced to screen readers.
export function ErrorNote({ error, children }: { error?: PlainError | null; children?: ReactNode }) {
  if (!error && !children) return null;
  return (
    <div className="error-note" role="alert">
      {error?.message}
      {children}
    </div>
  );
}

// The end of an inline form: the API error, the submit button and Cancel.
export function FormActions({ error, submit, busy, onCancel }: { error: PlainError | null; submit: ReactNode; busy: boolean; onCancel: () => void }) {
  return (
    <>
      <ErrorNote error={error} />
      <div className="btn-row">
        <Button type="submit" variant="primary" busy={busy}>
          {submit}
        </Button>
        <Button type="button" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </>
  );
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`notice notice-${tone}`} role="status">
      {children}
    </div>
  );
}

// the field errors of a BAD_USER_INPUT answer, by field name
export function fieldError(error: PlainError | null | undefined, name: string): string | undefined {
  const msg = error?.fields?.[name];
  return msg ? `${name[0].toUpperCase()}${name.slice(1)} ${msg}` : undefined;
}

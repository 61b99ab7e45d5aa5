"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { detectionSettingsSchema, type DetectionSettings } from "@/lib/detection/detection-settings";
import { SAVED_AND_RERUNNING } from "./saved-message";

type NumericField = Exclude<keyof DetectionSettings, "labMode">;

const NUMERIC_FIELDS: { name: NumericField; label: string; step: string; help: string }[] = [
  { name: "lookbackHours", label: "Lookback (hours)", step: "1", help: "How far back from the as-of time events are analysed." },
  { name: "correlationWindowMinutes", label: "Correlation window (minutes)", step: "1", help: "A crypto load qualifies a process when a connection follows within it." },
  { name: "beaconScoreThreshold", label: "Strong beacon score (0–1)", step: "0.01", help: "Beacon score at or above which a destination counts as a strong beacon (with a periodicity of at least 0.5), and the timestamp score and periodicity a short regular session needs." },
  { name: "beaconMinConnections", label: "Beacon minimum connections", step: "1", help: "Fewest connections before the beacon-only rule may fire." },
  { name: "opensslWindowSeconds", label: "openssl → network window (seconds)", step: "1", help: "How soon a network tool must connect out after openssl enc (Linux rule)." },
];

/** The default mode's thresholds and lab mode: a form when `canEdit` (admins), else their values. */
export function DetectionSettingsForm({ settings, canEdit }: { settings: DetectionSettings; canEdit: boolean }) {
  return (
    <section className="card" aria-labelledby="settings-heading">
      <h2 id="settings-heading" style={{ marginTop: 0 }}>
        Detection settings <span className="muted">(corrected mode)</span>
      </h2>
      {canEdit ? <EditableSettings settings={settings} /> : <SettingValues settings={settings} />}
    </section>
  );
}

function SettingValues({ settings }: { settings: DetectionSettings }) {
  return (
    <>
      <p className="muted" style={{ marginTop: 0 }}>
        Only admins can change these settings.
      </p>
      <dl className="stats">
        <div>
          <dt>Lab mode</dt>
          <dd>{settings.labMode ? "On" : "Off"}</dd>
        </div>
        {NUMERIC_FIELDS.map((field) => (
          <div key={field.name} title={field.help}>
            <dt>{field.label}</dt>
            <dd>{settings[field.name]}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

/** Validated with the same schema as the API before it is sent. */
function EditableSettings({ settings }: { settings: DetectionSettings }) {
  const router = useRouter();
  // Number inputs are edited as text so a half-typed value is not coerced away.
  const [draft, setDraft] = useState<Record<string, string | boolean>>({ labMode: settings.labMode, ...Object.fromEntries(NUMERIC_FIELDS.map((f) => [f.name, String(settings[f.name])])) });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setStatus(null);
    const candidate = { labMode: draft.labMode === true, ...Object.fromEntries(NUMERIC_FIELDS.map((f) => [f.name, draft[f.name] === "" ? NaN : Number(draft[f.name])])) };
    const parsed = detectionSettingsSchema.safeParse(candidate);
    if (!parsed.success) {
      setErrors(Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0]), issue.message.replace("NaN", "a number")])));
      return;
    }
    setErrors({});
    setBusy(true);
    const response = await fetch("/api/settings", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(parsed.data) }).catch(() => null);
    setBusy(false);
    const body = await response?.json().catch(() => null);
    if (!response?.ok) {
      setStatus(body?.error?.message ?? "The settings could not be saved.");
      return;
    }
    setStatus(SAVED_AND_RERUNNING);
    router.refresh();
  }

  return (
    <form onSubmit={save} noValidate className="settings-form">
      <label className="checkbox">
        <input type="checkbox" checked={draft.labMode === true} onChange={(event) => setDraft({ ...draft, labMode: event.target.checked })} />
        <span>
          <strong>Lab mode</strong>: include loopback and private destinations (purple-team labs, Atomic tests aimed at 127.0.0.1)
        </span>
      </label>
      {NUMERIC_FIELDS.map((field) => (
        <div className="field" key={field.name}>
          <label htmlFor={`setting-${field.name}`}>{field.label}</label>
          <input
            id={`setting-${field.name}`}
            type="number"
            step={field.step}
            value={String(draft[field.name])}
            aria-invalid={errors[field.name] ? true : undefined}
            aria-describedby={`setting-${field.name}-help${errors[field.name] ? ` setting-${field.name}-error` : ""}`}
            onChange={(event) => setDraft({ ...draft, [field.name]: event.target.value })}
          />
          <span id={`setting-${field.name}-help`}>{field.help}</span>
          {errors[field.name] && (
            <p id={`setting-${field.name}-error`} className="field-error" role="alert">
              {errors[field.name]}
            </p>
          )}
        </div>
      ))}
      <div>
        <button type="submit" className="button" disabled={busy}>
          Save settings
        </button>
        {status && (
          <span role="status" className="muted" style={{ marginLeft: 10 }}>
            {status}
          </span>
        )}
      </div>
    </form>
  );
}

/**
 * Upload a CSV file to `POST /datasets` (the documented streaming endpoint: the server spools
 * the body to disk and parses it as a stream), with the bytes sent shown as they go, then the
 * server's parsing and storing. XMLHttpRequest, because fetch reports no upload progress.
 */
import { useState, type FormEvent } from "react";
import { useSession } from "./ui.tsx";

type Phase = { kind: "idle" } | { kind: "sending"; sent: number; total: number } | { kind: "storing" } | { kind: "done"; name: string; rows: number } | { kind: "failed"; message: string };

export function UploadForm({ onUploaded }: { onUploaded: (datasetId: string) => void }) {
  const session = useSession();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const busy = phase.kind === "sending" || phase.kind === "storing";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    const datasetName = name.trim() || file.name.replace(/\.csv$/i, "");
    const request = new XMLHttpRequest();
    request.open("POST", `/datasets?name=${encodeURIComponent(datasetName)}`);
    request.setRequestHeader("authorization", `Bearer ${session.key}`);
    request.setRequestHeader("content-type", "text/csv");
    request.upload.onprogress = (e) => setPhase({ kind: "sending", sent: e.loaded, total: e.lengthComputable ? e.total : file.size });
    request.upload.onload = () => setPhase({ kind: "storing" });
    request.onerror = () => setPhase({ kind: "failed", message: "The server cannot be reached." });
    request.onload = () => {
      let body: { data?: { id: string; name: string; rowCount: number }; errors?: { message: string }[] } | null = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // not JSON: reported below
      }
      if (request.status === 201 && body?.data) {
        setPhase({ kind: "done", name: body.data.name, rows: body.data.rowCount });
        onUploaded(body.data.id);
      } else {
        setPhase({ kind: "failed", message: body?.errors?.[0]?.message ?? `HTTP ${request.status}` });
      }
    };
    setPhase({ kind: "sending", sent: 0, total: file.size });
    request.send(file);
  };

  const percent = phase.kind === "sending" ? Math.round((100 * phase.sent) / Math.max(1, phase.total)) : phase.kind === "storing" || phase.kind === "done" ? 100 : 0;
  return (
    <form className="upload" onSubmit={submit} data-upload>
      <input type="file" accept=".csv,text/csv" aria-label="CSV file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} disabled={busy} />
      <input type="text" placeholder="name (default: the file's)" aria-label="Dataset name" value={name} onChange={(e) => setName(e.target.value)} disabled={busy} />
      <button type="submit" className="primary" disabled={!file || busy}>
        Upload
      </button>
      {phase.kind !== "idle" && (
        <div className="upload-status" data-phase={phase.kind}>
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label="upload">
            <div className={`progress-fill ${phase.kind === "failed" ? "progress-stopped" : ""}`} style={{ width: `${percent}%` }} />
          </div>
          <span className="muted small" role={phase.kind === "failed" ? "alert" : "status"}>
            {phase.kind === "sending" && `${percent}% sent (${(phase.sent / 1e6).toFixed(1)} of ${(phase.total / 1e6).toFixed(1)} MB)`}
            {phase.kind === "storing" && "sent; the server is parsing and storing it…"}
            {phase.kind === "done" && `${phase.name}: ${phase.rows.toLocaleString()} rows stored`}
            {phase.kind === "failed" && phase.message}
          </span>
        </div>
      )}
    </form>
  );
}

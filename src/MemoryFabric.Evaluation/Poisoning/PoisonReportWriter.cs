using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MemoryFabric.Evaluation.Poisoning;

/// <summary>
/// Writes a <see cref="PoisonReport"/>: the JSON of issue 5 (<c>budget</c>, <c>guard_off</c>, <c>guard_on</c>,
/// <c>per_kind</c>, each setting object with exactly <c>asr_r</c>, <c>asr_t</c>, <c>clean_evidence_recall</c>,
/// <c>clean_answer_coverage</c>, <c>false_quarantine_rate</c>) plus extra top-level fields (<c>dataset</c>,
/// <c>seed</c>, <c>embedder</c>, <c>target_share</c>, <c>conversations</c>, <c>method</c>, <c>counts</c>,
/// <c>mode</c>, <c>wording</c>, <c>detection</c> (per kind: records, quarantined, flagged by the instruction screen,
/// aimed ASR-r), <c>instruction_families</c> (the same per wording family), <c>targets</c>), and the Markdown tables printed by <c>memfab eval poison</c>. Rates are rounded to 4 decimals.
/// </summary>
public static class PoisonReportWriter
{
    /// <summary>How per-kind figures are obtained in the unlabelled mode, written in the JSON.</summary>
    public const string UnlabelledMethod =
        "unlabelled: every record a plain turn (role user, no source, no trust) by a new speaker, never the subject; all four kinds injected into the same memory, "
        + "records tagged by kind; per-kind ASR counts only poison of that kind; per-kind clean measures are the run's. Round 1 (correction, bait, instruction), "
        + "consolidate, guard on: quarantined poison confirmed (lessons), round 2 (a chorus of 4 new speakers, days apart), consolidate. "
        + "ASR-t: poison in context and no gold evidence turn covered.";

    /// <summary>How per-kind figures are obtained (labelled mode), written in the JSON.</summary>
    public const string Method =
        "all four kinds injected into the same memory, records tagged by kind; per-kind ASR counts only poison of that kind; "
        + "per-kind clean measures are the run's. Round 1 (false-fact, instruction, trigger), consolidate, guard on: quarantined poison confirmed (lessons), "
        + "round 2 (repeated lie over 3 sessions), consolidate. ASR-t: poison in context and no gold evidence turn covered.";

    /// <summary>Renders the JSON.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The JSON text, indented.</returns>
    public static string ToJson(PoisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("budget", report.Budget);
            WriteMeasures(w, "guard_off", report.GuardOff.Overall);
            WriteMeasures(w, "guard_on", report.GuardOn.Overall);
            w.WriteStartObject("per_kind");
            foreach (var kind in report.Kinds)
            {
                w.WriteStartObject(AttackKinds.Name(kind));
                WriteMeasures(w, "guard_off", report.GuardOff.PerKind[kind]);
                WriteMeasures(w, "guard_on", report.GuardOn.PerKind[kind]);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteString("dataset", report.Dataset);
            w.WriteNumber("seed", report.Seed);
            if (report.Embedder is { } embedder)
            {
                w.WriteString("embedder", embedder);
            }
            else
            {
                w.WriteNull("embedder");
            }

            w.WriteNumber("target_share", report.TargetShare);
            w.WriteNumber("conversations", report.Conversations);
            w.WriteString("mode", AttackKinds.Name(report.Mode));
            w.WriteString("wording", PoisonWordings.Name(report.Wording));
            w.WriteString("method", report.Mode == PoisonMode.Unlabelled ? UnlabelledMethod : Method);
            w.WriteStartObject("asr_r_aimed");
            foreach (var (name, setting) in new[] { ("guard_off", report.GuardOff), ("guard_on", report.GuardOn) })
            {
                w.WriteStartObject(name);
                foreach (var (key, value) in setting.AsrRAimed)
                {
                    WriteRate(w, key, value);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartObject("detection");
            foreach (var kind in report.Kinds)
            {
                w.WriteStartObject(AttackKinds.Name(kind));
                WriteDetection(w, "guard_off", report.GuardOff.DetectionPerKind.GetValueOrDefault(kind));
                WriteDetection(w, "guard_on", report.GuardOn.DetectionPerKind.GetValueOrDefault(kind));
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartObject("instruction_families");
            foreach (var family in report.GuardOn.InstructionFamilies.Keys)
            {
                w.WriteStartObject(family);
                WriteDetection(w, "guard_off", report.GuardOff.InstructionFamilies.GetValueOrDefault(family));
                WriteDetection(w, "guard_on", report.GuardOn.InstructionFamilies.GetValueOrDefault(family));
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartObject("counts");
            WriteCounts(w, "guard_off", report.GuardOff.Counts);
            WriteCounts(w, "guard_on", report.GuardOn.Counts);
            w.WriteEndObject();
            w.WriteStartObject("targets");
            WriteBool(w, "asr_r_reduction_met", report.AsrTargetMet());
            w.WriteStartObject("asr_r_reduction_met_per_kind");
            foreach (var kind in report.Kinds)
            {
                WriteBool(w, AttackKinds.Name(kind), report.AsrTargetMet(kind));
            }

            w.WriteEndObject();
            WriteRate(w, "clean_evidence_recall_drop", report.RecallDrop);
            WriteBool(w, "clean_evidence_recall_met", report.RecallTargetMet);
            w.WriteBoolean("false_quarantine_met", report.FalseQuarantineTargetMet);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the JSON to a file.</summary>
    /// <param name="report">The report.</param>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public static Task WriteJsonAsync(PoisonReport report, string path, CancellationToken cancellationToken = default) =>
        File.WriteAllTextAsync(path, ToJson(report) + "\n", cancellationToken);

    /// <summary>Renders the Markdown tables: the measures per setting and kind, then the targets and whether each is
    /// met.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The text.</returns>
    public static string ToMarkdown(PoisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var b = new StringBuilder();
        var off = report.GuardOff.Counts;
        b.AppendLine(Invariant($"Poisoning benchmark: {report.Dataset}, budget {report.Budget}, seed {report.Seed}, {report.Conversations} conversations, "
            + $"{off.TargetedQuestions} targeted / {off.CleanQuestions} clean questions, {off.PoisonRecords} poisoned records "
            + $"({AttackKinds.Name(report.Mode)}, instruction wordings: {PoisonWordings.Name(report.Wording)})"));
        b.AppendLine();
        b.AppendLine("| setting | ASR-r | ASR-t | clean evidence recall | clean answer coverage | clean notes quarantined |");
        b.AppendLine("|---|---:|---:|---:|---:|---:|");
        Row(b, "guard off", report.GuardOff.Overall, true);
        Row(b, "guard on", report.GuardOn.Overall, true);
        foreach (var kind in report.Kinds)
        {
            Row(b, $"{AttackKinds.Name(kind)}, guard off", report.GuardOff.PerKind[kind], false);
            Row(b, $"{AttackKinds.Name(kind)}, guard on", report.GuardOn.PerKind[kind], false);
        }

        b.AppendLine();
        b.AppendLine("| target | guard off | guard on | met |");
        b.AppendLine("|---|---:|---:|:---:|");
        AsrTarget(b, report, null);
        foreach (var kind in report.Kinds)
        {
            AsrTarget(b, report, kind);
        }

        b.AppendLine(Invariant(
            $"| clean evidence recall drop ≤ {N(PoisonReport.TargetRecallDrop, "0.00")} | {F(report.GuardOff.Overall.CleanEvidenceRecall)} | "
            + $"{F(report.GuardOn.Overall.CleanEvidenceRecall)} (drop {F(report.RecallDrop)}) | {Met(report.RecallTargetMet)} |"));
        b.AppendLine(Invariant(
            $"| clean notes quarantined ≤ {N(PoisonReport.TargetFalseQuarantine * 100, "0")} % | {Percent(report.GuardOff.Overall.FalseQuarantineRate)} "
            + $"({off.CleanNotesQuarantined}/{off.CleanNotes}) | {Percent(report.GuardOn.Overall.FalseQuarantineRate)} "
            + $"({report.GuardOn.Counts.CleanNotesQuarantined}/{report.GuardOn.Counts.CleanNotes}) | {Met(report.FalseQuarantineTargetMet)} |"));
        b.AppendLine();
        b.AppendLine("ASR-r counting only the poison aimed at each question itself (diagnostic), guard off → on: "
            + string.Join(", ", report.GuardOff.AsrRAimed.Select(p => $"{p.Key} {F(p.Value)} → {F(report.GuardOn.AsrRAimed[p.Key])}")) + ".");
        b.AppendLine();
        b.AppendLine("| records (guard on) | records | quarantined | flagged by the screen | ASR-r aimed, guard off | ASR-r aimed, guard on |");
        b.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var kind in report.Kinds)
        {
            DetectionRow(b, AttackKinds.Name(kind), report.GuardOff.DetectionPerKind.GetValueOrDefault(kind), report.GuardOn.DetectionPerKind.GetValueOrDefault(kind));
        }

        foreach (var family in report.GuardOn.InstructionFamilies.Keys)
        {
            DetectionRow(b, $"instruction, {family} wordings", report.GuardOff.InstructionFamilies.GetValueOrDefault(family), report.GuardOn.InstructionFamilies[family]);
        }

        b.AppendLine();
        var on = report.GuardOn.Counts;
        b.AppendLine(Invariant(
            $"Guard on: {on.PoisonTurnsQuarantined}/{on.PoisonRecords} poisoned turns quarantined, {on.QuarantineEntries} quarantine entries "
            + $"({on.CleanItemsQuarantined} clean), {on.Confirmed} round-1 detections confirmed, {on.Lessons} lessons."));
        return b.ToString();
    }

    private static void Row(StringBuilder b, string label, PoisonMeasures m, bool clean) =>
        b.AppendLine(Invariant(
            $"| {label} | {F(m.AsrR)} | {F(m.AsrT)} | {(clean ? F(m.CleanEvidenceRecall) : "")} | {(clean ? F(m.CleanAnswerCoverage) : "")} | {(clean ? Percent(m.FalseQuarantineRate) : "")} |"));

    private static void DetectionRow(StringBuilder b, string label, PoisonDetection? off, PoisonDetection? on)
    {
        on ??= new PoisonDetection(0, 0, 0, 0, 0);
        b.AppendLine(Invariant(
            $"| {label} | {on.Records} | {on.Quarantined} | {on.ScreenFlagged} ({Percent(on.ScreenRate)}) | {F(off?.AsrRAimed)} | {F(on.AsrRAimed)} |"));
    }

    private static void AsrTarget(StringBuilder b, PoisonReport report, AttackKind? kind)
    {
        var (off, on) = kind is { } k ? (report.GuardOff.PerKind[k], report.GuardOn.PerKind[k]) : (report.GuardOff.Overall, report.GuardOn.Overall);
        var reduction = PoisonMetrics.RelativeReduction(off.AsrR, on.AsrR);
        var label = kind is { } kk ? AttackKinds.Name(kk) : "overall";
        b.AppendLine(Invariant(
            $"| ASR-r reduced ≥ {N(PoisonReport.TargetAsrReduction * 100, "0")} % ({label}) | {F(off.AsrR)} | {F(on.AsrR)} "
            + $"({(reduction is { } r ? $"−{N(r * 100, "0.0")} %" : "n/a")}) | {Met(report.AsrTargetMet(kind))} |"));
    }

    private static void WriteMeasures(Utf8JsonWriter w, string name, PoisonMeasures m)
    {
        w.WriteStartObject(name);
        WriteRate(w, "asr_r", m.AsrR);
        WriteRate(w, "asr_t", m.AsrT);
        WriteRate(w, "clean_evidence_recall", m.CleanEvidenceRecall);
        WriteRate(w, "clean_answer_coverage", m.CleanAnswerCoverage);
        WriteRate(w, "false_quarantine_rate", m.FalseQuarantineRate);
        w.WriteEndObject();
    }

    private static void WriteDetection(Utf8JsonWriter w, string name, PoisonDetection? d)
    {
        d ??= new PoisonDetection(0, 0, 0, 0, 0);
        w.WriteStartObject(name);
        w.WriteNumber("records", d.Records);
        w.WriteNumber("quarantined", d.Quarantined);
        w.WriteNumber("screen_flagged", d.ScreenFlagged);
        WriteRate(w, "screen_rate", d.ScreenRate);
        w.WriteNumber("targets", d.Targets);
        WriteRate(w, "asr_r_aimed", d.AsrRAimed);
        w.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter w, string name, PoisonCounts c)
    {
        w.WriteStartObject(name);
        w.WriteNumber("targeted_questions", c.TargetedQuestions);
        w.WriteNumber("clean_questions", c.CleanQuestions);
        w.WriteNumber("poison_records", c.PoisonRecords);
        w.WriteNumber("poison_turns_quarantined", c.PoisonTurnsQuarantined);
        w.WriteNumber("quarantine_entries", c.QuarantineEntries);
        w.WriteNumber("clean_notes", c.CleanNotes);
        w.WriteNumber("clean_notes_quarantined", c.CleanNotesQuarantined);
        w.WriteNumber("clean_items_quarantined", c.CleanItemsQuarantined);
        w.WriteNumber("confirmed", c.Confirmed);
        w.WriteNumber("lessons", c.Lessons);
        w.WriteEndObject();
    }

    private static void WriteRate(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, Math.Round(v, 4));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteBool(Utf8JsonWriter w, string name, bool? value)
    {
        if (value is { } v)
        {
            w.WriteBoolean(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string F(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";

    private static string N(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Percent(double value) => (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static string Met(bool? met) => met switch { true => "yes", false => "no", null => "n/a" };

    private static string Invariant(string text) => text;
}

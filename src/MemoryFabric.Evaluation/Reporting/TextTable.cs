using System.Text;

namespace MemoryFabric.Evaluation.Reporting;

/// <summary>A small table rendered as aligned plain text or as a Markdown table. The first
/// <c>leftAligned</c> columns (labels) are left-aligned, the others (numbers) right-aligned.</summary>
internal sealed class TextTable(IReadOnlyList<string> headers, int leftAligned = 1)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Count)
        {
            throw new ArgumentException($"Expected {headers.Count} cells, got {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells);
    }

    public void WriteTo(StringBuilder sb, bool markdown)
    {
        if (markdown)
        {
            sb.Append("| ").AppendJoin(" | ", headers).AppendLine(" |");
            sb.Append('|').AppendJoin('|', headers.Select((_, i) => i < leftAligned ? "---" : "---:")).AppendLine("|");
            foreach (var row in _rows)
            {
                sb.Append("| ").AppendJoin(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))).AppendLine(" |");
            }

            return;
        }

        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        WriteLine(sb, headers, widths, leftAligned);
        WriteLine(sb, widths.Select(w => new string('-', w)).ToList(), widths, leftAligned);
        foreach (var row in _rows)
        {
            WriteLine(sb, row, widths, leftAligned);
        }
    }

    private static void WriteLine(StringBuilder sb, IReadOnlyList<string> cells, int[] widths, int leftAligned)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                line.Append("  ");
            }

            line.Append(i < leftAligned ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]));
        }

        sb.AppendLine(line.ToString().TrimEnd());
    }
}

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MemoryFabric.Serialization;

namespace MemoryFabric.Cli.Commands;

/// <summary>Formatting shared by the data commands: JSON as the HTTP API writes it, one-line truncated text,
/// timestamps.</summary>
internal static class CommandOutput
{
    // For a terminal or jq, not for HTML: apostrophes and non-ASCII letters stay readable.
    private static readonly JsonSerializerOptions Indented = new(MemoryFabricJson.Options)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A <c>--json</c> switch.</summary>
    /// <param name="description">What the command prints with it.</param>
    /// <returns>The option.</returns>
    public static System.CommandLine.Option<bool> JsonOption(string description) => new("--json") { Description = description };

    /// <summary>Writes a value as indented JSON (camelCase, enums as strings: the HTTP API's shapes) and a newline.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="writer">Where to write.</param>
    /// <param name="value">The value.</param>
    /// <returns>A task that completes when written.</returns>
    public static Task WriteJsonAsync<T>(TextWriter writer, T value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return writer.WriteLineAsync(JsonSerializer.Serialize(value, Indented));
    }

    /// <summary>The text on one line (whitespace runs collapsed), cut to <paramref name="width"/> characters with an
    /// ellipsis.</summary>
    /// <param name="text">The text.</param>
    /// <param name="width">The most characters; 0 or less for no limit.</param>
    /// <returns>The line.</returns>
    public static string Truncate(string? text, int width)
    {
        var builder = new StringBuilder();
        var space = false;
        foreach (var c in text ?? string.Empty)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        if (width > 0 && builder.Length > width)
        {
            var cut = width - 1;
            if (cut > 0 && char.IsHighSurrogate(builder[cut - 1]))
            {
                cut--;
            }

            return builder.ToString(0, cut) + "…";
        }

        return builder.ToString();
    }

    /// <summary>A timestamp as <c>yyyy-MM-dd HH:mm</c> in its own offset.</summary>
    /// <param name="time">The time.</param>
    /// <returns>The text.</returns>
    public static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A timestamp as ISO 8601 with its offset, or "-".</summary>
    /// <param name="time">The time.</param>
    /// <returns>The text.</returns>
    public static string Iso(DateTimeOffset? time) => time?.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>An enum value as the API writes it (camelCase).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The name.</returns>
    public static string Name(Enum value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
    }

    /// <summary>A number with thousands separators, invariant.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The text.</returns>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A size in bytes as B, KiB, MiB or GiB with one decimal, invariant.</summary>
    /// <param name="bytes">The size.</param>
    /// <returns>The text.</returns>
    public static string Bytes(long bytes)
    {
        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        var value = (double)bytes;
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>Writes a plain table: a header, then one line a row, columns padded to their widest cell (the last
    /// one is not) and two spaces apart.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="header">The column names.</param>
    /// <param name="rows">The rows, as many cells as the header.</param>
    /// <returns>A task that completes when written.</returns>
    public static async Task WriteTableAsync(TextWriter writer, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = new int[header.Count];
        foreach (var row in all)
        {
            for (var i = 0; i < row.Count; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in all)
        {
            var cells = row.Select((cell, i) => i == row.Count - 1 ? cell : cell.PadRight(widths[i]));
            await writer.WriteLineAsync(string.Join("  ", cells).TrimEnd()).ConfigureAwait(false);
        }
    }

    /// <summary>A duration in seconds with one decimal (or milliseconds under a second).</summary>
    /// <param name="elapsed">The duration.</param>
    /// <returns>The text.</returns>
    public static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds < 1
        ? elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms"
        : elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    /// <summary>Whether a writer is the console's standard error and that is a terminal (so a redrawn progress bar
    /// is welcome there).</summary>
    /// <param name="writer">The writer.</param>
    /// <returns>Whether it is an interactive terminal.</returns>
    public static bool IsTerminal(TextWriter writer) => ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>Writes a command's figures to the file an option names (<c>--out</c>, <c>--markdown</c>), saying so on
    /// standard error; nothing when no file was named.</summary>
    /// <param name="command">The command, for the message (e.g. <c>bench http</c>).</param>
    /// <param name="path">The file, or <see langword="null"/>.</param>
    /// <param name="content">What to write.</param>
    /// <param name="what">What it is, for the message (e.g. <c>results</c>).</param>
    /// <param name="stderr">Where messages go.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> when the file could not be written (the message says why).</returns>
    public static async Task<bool> TryWriteFileAsync(string command, string? path, string content, string what, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (path is null)
        {
            return true;
        }

        try
        {
            await File.WriteAllTextAsync(path, content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"memfab: cannot write {path}: {e.Message}").ConfigureAwait(false);
            return false;
        }

        await stderr.WriteLineAsync($"memfab {command}: {what} written to {path}").ConfigureAwait(false);
        return true;
    }
}

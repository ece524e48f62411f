using System.Diagnostics;
using System.Globalization;

namespace MemoryFabric.Cli.Commands;

/// <summary>The progress of <c>memfab ingest</c> on standard error: a bar redrawn in place on a terminal; otherwise
/// (redirected, a file, a test) a plain line every few seconds, so that a log never fills with carriage returns.</summary>
internal sealed class IngestProgress
{
    private const int BarWidth = 28;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(5);

    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private readonly string _label;
    private readonly int _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastWrite;
    private int _lastWidth;

    /// <summary>Initializes the progress of one agent's ingest.</summary>
    /// <param name="writer">Standard error.</param>
    /// <param name="interactive">Whether the writer is a terminal.</param>
    /// <param name="label">What is ingested, e.g. the agent's name.</param>
    /// <param name="total">The number of turns.</param>
    public IngestProgress(TextWriter writer, bool interactive, string label, int total)
    {
        _writer = writer;
        _interactive = interactive;
        _label = label;
        _total = Math.Max(total, 0);
        _lastWrite = TimeSpan.Zero;
    }

    /// <summary>Reports the turns sent so far.</summary>
    /// <param name="sent">The turns sent.</param>
    public void Report(int sent)
    {
        var now = _clock.Elapsed;
        if (now - _lastWrite < (_interactive ? RedrawInterval : LineInterval) && sent < _total)
        {
            return;
        }

        if (!_interactive && sent >= _total)
        {
            return; // the summary line says it
        }

        _lastWrite = now;
        var percent = _total == 0 ? 100 : (int)(100L * sent / _total);
        var rate = now.TotalSeconds > 0 ? sent / now.TotalSeconds : 0;
        var counts = string.Create(CultureInfo.InvariantCulture, $"{sent:N0}/{_total:N0} turns {percent,3}%  {rate:N0} turns/s");
        if (_interactive)
        {
            var filled = _total == 0 ? BarWidth : (int)((long)BarWidth * sent / _total);
            var line = $"{_label} [{new string('#', filled)}{new string('-', BarWidth - filled)}] {counts}";
            var pad = Math.Max(0, _lastWidth - line.Length);
            _writer.Write("\r" + line + new string(' ', pad));
            _writer.Flush();
            _lastWidth = line.Length;
        }
        else
        {
            _writer.WriteLine($"memfab ingest: {_label}: {counts}");
        }
    }

    /// <summary>Clears the bar (terminal) so that the summary starts on a clean line.</summary>
    public void Complete()
    {
        if (_interactive && _lastWidth > 0)
        {
            _writer.Write("\r" + new string(' ', _lastWidth) + "\r");
            _writer.Flush();
            _lastWidth = 0;
        }
    }
}

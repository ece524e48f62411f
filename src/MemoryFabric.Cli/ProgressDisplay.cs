using System.Text;
using Spectre.Console;

namespace MemoryFabric.Cli;

/// <summary>The live progress of a long command (Spectre.Console), on standard error only and only when standard
/// error is a terminal and <c>--quiet</c> is not given: data, JSON and Markdown on standard output stay as they are,
/// and a script, a pipe or a log file sees no progress at all (the commands' plain lines on standard error stay).</summary>
internal static class ProgressDisplay
{
    private static readonly AsyncLocal<bool> AssumedTerminal = new();

    /// <summary>The <c>--quiet</c> switch of a long command.</summary>
    /// <returns>The option.</returns>
    public static System.CommandLine.Option<bool> QuietOption() => new("--quiet", "-q")
    {
        Description = "No progress display on standard error (it is shown only when standard error is a terminal).",
    };

    /// <summary>Treats standard error as a terminal in this asynchronous flow (a test seam).</summary>
    /// <returns>Restores the previous state when disposed.</returns>
    internal static IDisposable AssumeTerminal()
    {
        var previous = AssumedTerminal.Value;
        AssumedTerminal.Value = true;
        return new Restore(() => AssumedTerminal.Value = previous);
    }

    /// <summary>Whether a command shows live progress on <paramref name="stderr"/>.</summary>
    /// <param name="stderr">The command's standard error.</param>
    /// <param name="quiet">Whether <c>--quiet</c> was given.</param>
    /// <returns>Whether to show it.</returns>
    public static bool IsEnabled(TextWriter stderr, bool quiet) =>
        !quiet && (AssumedTerminal.Value || Commands.CommandOutput.IsTerminal(stderr));

    /// <summary>Whether <paramref name="stdout"/> is the console's own standard output on a terminal, where a live
    /// display on standard error would be drawn over the data.</summary>
    /// <param name="stdout">The command's standard output.</param>
    /// <returns>Whether it is.</returns>
    public static bool IsTerminalOutput(TextWriter stdout) => ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>Runs a command's work with a live display on <paramref name="stderr"/> when
    /// <paramref name="enabled"/>, else with a scope that shows nothing.</summary>
    /// <typeparam name="T">The work's result.</typeparam>
    /// <param name="stderr">Standard error.</param>
    /// <param name="enabled">Whether to show progress (<see cref="IsEnabled"/>).</param>
    /// <param name="style">Bars (known totals) or spinners (work of unknown length).</param>
    /// <param name="body">The work.</param>
    /// <returns>The work's result.</returns>
    public static async Task<T> RunAsync<T>(TextWriter stderr, bool enabled, ProgressStyle style, Func<ProgressScope, Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(body);
        if (!enabled)
        {
            return await body(new ProgressScope(null, stderr)).ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(stderr),
        });
        ProgressColumn[] columns = style == ProgressStyle.Bars
            ? [new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn()]
            : [new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn()];
        using var log = new ConsoleLineWriter(console);
        return await console.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(columns)
            .StartAsync(context => body(new ProgressScope(context, log)))
            .ConfigureAwait(false);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>Lines written while the display is live go through its console, above the display, instead of being
    /// drawn over by it.</summary>
    private sealed class ConsoleLineWriter(IAnsiConsole console) : TextWriter
    {
        private readonly Lock _gate = new();
        private readonly StringBuilder _line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_gate)
            {
                if (value == '\n')
                {
                    var text = _line.ToString().TrimEnd('\r');
                    _line.Clear();
                    console.WriteLine(text);
                }
                else
                {
                    _line.Append(value);
                }
            }
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? string.Empty)
            {
                Write(c);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            ArgumentNullException.ThrowIfNull(buffer);
            for (var i = index; i < index + count; i++)
            {
                Write(buffer[i]);
            }
        }

        public override void WriteLine(string? value) => Write((value ?? string.Empty) + "\n");

        public override Task WriteAsync(char value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.ToString());
            return Task.CompletedTask;
        }

        public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
        {
            WriteLine(buffer.ToString());
            return Task.CompletedTask;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                lock (_gate)
                {
                    if (_line.Length > 0)
                    {
                        console.WriteLine(_line.ToString());
                        _line.Clear();
                    }
                }
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>How a live display shows its tasks.</summary>
internal enum ProgressStyle
{
    /// <summary>A bar with percentage and elapsed time per task (totals known).</summary>
    Bars,

    /// <summary>A spinner with elapsed time per task (work of unknown length).</summary>
    Spinners,
}

/// <summary>The live display of one command, or nothing (not a terminal, <c>--quiet</c>).</summary>
internal sealed class ProgressScope
{
    private readonly ProgressContext? _context;

    /// <summary>Initializes a scope.</summary>
    /// <param name="context">The live display, or <see langword="null"/> for none.</param>
    /// <param name="log">Where the command's own progress lines go.</param>
    internal ProgressScope(ProgressContext? context, TextWriter log)
    {
        _context = context;
        Log = log;
    }

    /// <summary>Whether a live display is shown.</summary>
    public bool IsLive => _context is not null;

    /// <summary>Where the command's plain progress lines go: standard error, through the live display when there is
    /// one (so that they print above it).</summary>
    public TextWriter Log { get; }

    /// <summary>Adds a task to the display.</summary>
    /// <param name="description">What it does (plain text).</param>
    /// <param name="total">Its total (turns, bytes, questions), or <see langword="null"/> when unknown (a spinner).</param>
    /// <returns>The task; does nothing when there is no display.</returns>
    public ProgressItem Start(string description, double? total = null)
    {
        if (_context is null)
        {
            return ProgressItem.None;
        }

        var task = _context.AddTask(Markup.Escape(description), autoStart: true, maxValue: total is > 0 ? total.Value : 1);
        task.IsIndeterminate = total is null;
        return new ProgressItem(task);
    }
}

/// <summary>One task of a live display.</summary>
internal sealed class ProgressItem
{
    /// <summary>A task that shows nothing.</summary>
    public static readonly ProgressItem None = new(null);

    private readonly ProgressTask? _task;

    /// <summary>Initializes a task.</summary>
    /// <param name="task">The display's task, or <see langword="null"/>.</param>
    internal ProgressItem(ProgressTask? task) => _task = task;

    /// <summary>Sets how far the task is.</summary>
    /// <param name="value">The amount done, of the total.</param>
    public void Report(double value)
    {
        if (_task is not null)
        {
            _task.Value = Math.Min(value, _task.MaxValue);
        }
    }

    /// <summary>Changes what the task says.</summary>
    /// <param name="description">Plain text.</param>
    public void Describe(string description)
    {
        if (_task is not null)
        {
            _task.Description = Markup.Escape(description);
        }
    }

    /// <summary>Marks the task done (a full bar, the spinner stopped).</summary>
    public void Complete()
    {
        if (_task is not null)
        {
            _task.IsIndeterminate = false;
            _task.Value = _task.MaxValue;
            _task.StopTask();
        }
    }
}

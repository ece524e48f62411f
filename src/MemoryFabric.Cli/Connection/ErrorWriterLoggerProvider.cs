using Microsoft.Extensions.Logging;

namespace MemoryFabric.Cli.Connection;

/// <summary>The log of the in-process server of <c>--local</c>: warnings and errors, plus the embedder's progress (a
/// model download), one line each on the command's error writer; nothing else, so the command's own output stays
/// clean.</summary>
/// <param name="writer">Where the lines go.</param>
internal sealed class ErrorWriterLoggerProvider(TextWriter writer) : ILoggerProvider
{
    private const string EmbedderCategory = "MemoryFabric.Server.Hosting.EmbedderHolder";

    // Its "Hosting failed to start" repeats, with a stack trace, the error memfab reports on one line.
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private readonly Lock _gate = new();

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName switch
    {
        EmbedderCategory => LogLevel.Information,
        HostCategory => LogLevel.Critical,
        // The embedded silo's own notes (GC mode, a slow watchdog tick on a busy machine) are not the user's concern,
        // nor is each attempt of a call retried on a busy machine (Polly's telemetry): a call that fails in the end is
        // memfab's own one-line error.
        _ when categoryName.StartsWith("Orleans", StringComparison.Ordinal) || categoryName.StartsWith("Polly", StringComparison.Ordinal) => LogLevel.Error,
        _ => LogLevel.Warning,
    });

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Write(LogLevel level, string message, Exception? exception)
    {
        var prefix = level switch
        {
            >= LogLevel.Error => "memfab: server error: ",
            LogLevel.Warning => "memfab: warning: ",
            _ => "memfab: ",
        };
        var line = prefix + OneLine(message) + (exception is null ? string.Empty : $" ({exception.GetType().Name}: {OneLine(exception.Message)})");
        lock (_gate)
        {
            writer.WriteLine(line);
        }
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private sealed class Logger(ErrorWriterLoggerProvider provider, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, formatter(state, exception), exception);
            }
        }
    }
}

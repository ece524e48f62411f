using Microsoft.Extensions.Logging;

namespace MemoryFabric.Orleans.Tests.Support;

/// <summary>A logger that keeps every entry (level, formatted message, exception) for a test to read.</summary>
/// <typeparam name="T">The category.</typeparam>
internal sealed class ListLogger<T> : ILogger<T>
{
    public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Add((logLevel, formatter(state, exception), exception));
}

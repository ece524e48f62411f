namespace MemoryFabric.Cli.Commands;

/// <summary>Asks the user to confirm a destructive command on the terminal. Standard input that is not a terminal
/// (a pipe, a file, a CI job) cannot confirm anything: such a command then needs its <c>--yes</c>.</summary>
internal static class ConfirmPrompt
{
    private static readonly AsyncLocal<Replacement?> Override = new();

    /// <summary>The terminal to ask, or <see langword="null"/> when standard input is not one.</summary>
    public static TextReader? Terminal => Override.Value is { } replaced ? replaced.Input : Console.IsInputRedirected ? null : Console.In;

    /// <summary>Makes <paramref name="input"/> the terminal of the commands run by the calling flow, or says there is
    /// none (tests).</summary>
    /// <param name="input">The answers, one a line; <see langword="null"/> for no terminal.</param>
    /// <returns>Restores the real terminal when disposed.</returns>
    public static IDisposable UseTerminal(TextReader? input)
    {
        var previous = Override.Value;
        Override.Value = new Replacement(input);
        return new Restore(previous);
    }

    /// <summary>Asks for a word to be typed back.</summary>
    /// <param name="terminal">The terminal.</param>
    /// <param name="stderr">Where the question goes.</param>
    /// <param name="question">The question, ending with what to type.</param>
    /// <param name="expected">The word that confirms.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>Whether the answer was <paramref name="expected"/>.</returns>
    public static async Task<bool> AskAsync(TextReader terminal, TextWriter stderr, string question, string expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(stderr);
        await stderr.WriteAsync(question + " ").ConfigureAwait(false);
        await stderr.FlushAsync(cancellationToken).ConfigureAwait(false);
        var answer = await terminal.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        return string.Equals(answer?.Trim(), expected, StringComparison.Ordinal);
    }

    private sealed record Replacement(TextReader? Input);

    private sealed class Restore(Replacement? previous) : IDisposable
    {
        public void Dispose() => Override.Value = previous;
    }
}

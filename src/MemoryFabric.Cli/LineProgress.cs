namespace MemoryFabric.Cli;

/// <summary>Writes each progress report as one line, at once and in order (unlike <see cref="Progress{T}"/>, which
/// posts to the thread pool).</summary>
/// <param name="writer">Where the lines go.</param>
/// <param name="prefix">Put before each line.</param>
internal sealed class LineProgress(TextWriter writer, string prefix) : IProgress<string>
{
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public void Report(string value)
    {
        lock (_gate)
        {
            writer.WriteLine(prefix + value);
        }
    }
}

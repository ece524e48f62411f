namespace MemoryFabric.Cli;

/// <summary>Reports on the caller's thread, at once and in order (unlike <see cref="Progress{T}"/>, which posts to
/// the thread pool).</summary>
/// <typeparam name="T">The report.</typeparam>
/// <param name="report">What to do with each report.</param>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}

namespace MemoryFabric.Cli;

/// <summary>Bad input found by a command: reported as one line on standard error with
/// <see cref="ExitCodes.BadInput"/>.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace MemoryFabric.Cli;

/// <summary>The exit codes of <c>memfab</c>.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>The command ran but something failed (e.g. a strategy threw; the other results are still printed).</summary>
    public const int Failure = 1;

    /// <summary>Bad input: a parse error, a missing or malformed file, an unknown name, an out-of-range value.</summary>
    public const int BadInput = 2;

    /// <summary>Cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;
}

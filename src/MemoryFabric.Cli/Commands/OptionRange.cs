namespace MemoryFabric.Cli.Commands;

/// <summary>Range checks of numeric options, as usage errors that name the option.</summary>
internal static class OptionRange
{
    /// <summary>The value when it lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="value">The option's value.</param>
    /// <param name="name">The option's name, e.g. <c>--turns</c>.</param>
    /// <param name="min">The least value allowed.</param>
    /// <param name="max">The greatest value allowed.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="UsageException">The value is out of range.</exception>
    public static int Check(int value, string name, int min, int max) =>
        value >= min && value <= max ? value : throw new UsageException($"{name} must be between {min:N0} and {max:N0} (got {value})");
}

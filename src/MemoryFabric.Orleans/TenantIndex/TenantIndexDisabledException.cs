namespace MemoryFabric.Orleans.TenantIndex;

/// <summary>A tenant-wide search was asked of a fabric whose tenant index is off (<see cref="TenantIndexOptions.Enabled"/>):
/// the agents do not mirror their vectors, so there is nothing to search. The HTTP API answers 501.</summary>
[GenerateSerializer]
[Alias("memoryfabric.tenantindex.disabled")]
public sealed class TenantIndexDisabledException : Exception
{
    /// <summary>The message every instance carries by default: what is off and how to turn it on.</summary>
    public const string DefaultMessage =
        "Tenant-wide search needs the tenant index, which is off on this fabric: set MemoryFabric:TenantIndex:Enabled=true "
        + "(each agent then mirrors its vectors into the tenant's shards; agents written before mirror theirs at their next activation).";

    /// <summary>Creates the exception.</summary>
    public TenantIndexDisabledException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public TenantIndexDisabledException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TenantIndexDisabledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

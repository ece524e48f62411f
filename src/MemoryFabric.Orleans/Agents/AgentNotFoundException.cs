namespace MemoryFabric.Orleans.Agents;

/// <summary>A read named an agent that has nothing stored (never written, or purged).</summary>
public sealed class AgentNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AgentNotFoundException()
        : base("The agent does not exist.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public AgentNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AgentNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

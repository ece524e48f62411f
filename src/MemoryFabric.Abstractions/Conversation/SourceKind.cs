namespace MemoryFabric.Conversation;

/// <summary>Where a turn or a note came from: its provenance kind, which sets its default trust.</summary>
public enum SourceKind
{
    /// <summary>Stated by the user (or, in a human-human conversation, by a participant). Default trust 0.9.</summary>
    UserStated,

    /// <summary>Stated by the AI assistant. Default trust 0.6.</summary>
    AssistantStated,

    /// <summary>Output of a tool. Default trust 0.4.</summary>
    Tool,

    /// <summary>Content from the web. Default trust 0.3.</summary>
    Web,

    /// <summary>Content of a document (or a system message). Default trust 0.5.</summary>
    Document,

    /// <summary>Imported from another store. Default trust 0.5.</summary>
    Imported,
}

/// <summary>The default trust levels of the <see cref="SourceKind"/>s and their derivation from roles.</summary>
public static class SourceTrust
{
    /// <summary>The default trust of a source kind: user 0.9, assistant 0.6, imported and document 0.5, tool 0.4,
    /// web 0.3.</summary>
    /// <param name="source">The source kind.</param>
    /// <returns>The trust, 0 to 1.</returns>
    public static double DefaultTrust(SourceKind source) => source switch
    {
        SourceKind.UserStated => 0.9,
        SourceKind.AssistantStated => 0.6,
        SourceKind.Imported => 0.5,
        SourceKind.Document => 0.5,
        SourceKind.Tool => 0.4,
        SourceKind.Web => 0.3,
        _ => 0.5,
    };

    /// <summary>The source kind a role implies: user → user-stated, assistant → assistant-stated, tool → tool,
    /// system → document.</summary>
    /// <param name="role">The role.</param>
    /// <returns>The source kind.</returns>
    public static SourceKind FromRole(TurnRole role) => role switch
    {
        TurnRole.Assistant => SourceKind.AssistantStated,
        TurnRole.Tool => SourceKind.Tool,
        TurnRole.System => SourceKind.Document,
        _ => SourceKind.UserStated,
    };

    /// <summary>Checks a trust level: finite and between 0 and 1.</summary>
    /// <param name="trust">The trust level.</param>
    /// <param name="parameter">The parameter name for the exception.</param>
    /// <exception cref="MemoryInputException">The trust is out of range.</exception>
    public static void Validate(double? trust, string parameter)
    {
        if (trust is { } t && (!double.IsFinite(t) || t < 0 || t > 1))
        {
            throw new MemoryInputException($"The trust level must be between 0 and 1; {t} was given.", parameter);
        }
    }
}

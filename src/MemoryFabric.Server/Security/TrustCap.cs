using MemoryFabric.Api;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;

namespace MemoryFabric.Server.Security;

/// <summary>Applies the caller's key's trust cap (<see cref="CallerIdentity.Trust"/>) to what it writes: each turn's
/// and note's trust becomes min(requested, or the source's default, cap), so a capped key (a tool's, a crawler's)
/// can never write a strong source for the guard. A requested trust out of range is left for the engine to reject
/// with a 400.</summary>
internal static class TrustCap
{
    /// <summary>The caller's cap, or <see langword="null"/> for none.</summary>
    /// <param name="context">The request.</param>
    /// <returns>The cap.</returns>
    public static double? Of(HttpContext context) => context.Features.Get<CallerIdentity>()?.Trust;

    /// <summary>Caps turns submitted for ingestion.</summary>
    /// <param name="context">The request.</param>
    /// <param name="turns">The turns.</param>
    /// <returns>The turns, capped (the same list when there is no cap).</returns>
    public static IReadOnlyList<TurnInput> Apply(HttpContext context, IReadOnlyList<TurnInput> turns)
    {
        if (Of(context) is not { } cap)
        {
            return turns;
        }

        return turns.Select(t => t is null ? t! : t with { Trust = Min(t.Trust ?? SourceTrust.DefaultTrust(t.Source ?? SourceTrust.FromRole(t.Role)), cap) }).ToList();
    }

    /// <summary>Caps a note written through the API.</summary>
    /// <param name="context">The request.</param>
    /// <param name="note">The note.</param>
    /// <returns>The note, capped.</returns>
    public static NoteWrite Apply(HttpContext context, NoteWrite note) =>
        Of(context) is { } cap && note is not null ? note with { Trust = Min(note.Trust, cap) } : note!;

    /// <summary>Caps an imported turn.</summary>
    /// <param name="cap">The cap, or <see langword="null"/>.</param>
    /// <param name="turn">The turn.</param>
    /// <returns>The turn, capped.</returns>
    public static Turn Apply(double? cap, Turn turn) =>
        cap is { } c ? turn with { Trust = Min(turn.Trust, c) } : turn;

    /// <summary>Caps an imported note version.</summary>
    /// <param name="cap">The cap, or <see langword="null"/>.</param>
    /// <param name="note">The note version.</param>
    /// <returns>The note version, capped.</returns>
    public static Note Apply(double? cap, Note note) =>
        cap is { } c && note.Provenance is { } provenance ? note with { Provenance = provenance with { Trust = Min(provenance.Trust, c) } } : note;

    /// <summary>Whether a key's trust cap is valid: finite, 0 to 1.</summary>
    /// <param name="trust">The cap.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsValid(double trust) => double.IsFinite(trust) && trust is >= 0 and <= 1;

    // An invalid requested trust stays as it is, so that the engine rejects it as it would without a cap.
    private static double Min(double requested, double cap) => IsValid(requested) ? Math.Min(requested, cap) : requested;
}

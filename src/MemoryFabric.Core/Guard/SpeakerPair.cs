namespace MemoryFabric.Guard;

/// <summary>Pairs of speakers, compared as the testimony checks compare speakers (letter case ignored).</summary>
internal static class SpeakerPair
{
    /// <summary>The comparer of (speaker, speaker) pairs.</summary>
    public static IEqualityComparer<(string A, string B)> Comparer { get; } = new PairComparer();

    private sealed class PairComparer : IEqualityComparer<(string A, string B)>
    {
        public bool Equals((string A, string B) x, (string A, string B) y) =>
            StringComparer.OrdinalIgnoreCase.Equals(x.A, y.A) && StringComparer.OrdinalIgnoreCase.Equals(x.B, y.B);

        public int GetHashCode((string A, string B) obj) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.A), StringComparer.OrdinalIgnoreCase.GetHashCode(obj.B));
    }
}

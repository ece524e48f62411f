using MemoryFabric.Evaluation.Datasets;

namespace MemoryFabric.Evaluation.Tests.Poisoning;

/// <summary>A small synthetic conversation with questions in three categories, for the poisoning tests.</summary>
internal static class PoisonFixture
{
    public static DateTimeOffset Day1 { get; } = new(2023, 5, 8, 13, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset Day3 { get; } = new(2023, 7, 20, 9, 0, 0, TimeSpan.Zero);

    public static DatasetConversation Create() => new(
        "synthetic",
        [
            new DatasetSession("session_1", Day1,
            [
                new DatasetTurn("D1:1", "Ana", "I adopted a cat called Pepper last week."),
                new DatasetTurn("D1:2", "Ben", "Nice! I started learning the cello."),
                new DatasetTurn("D1:3", "Ana", "I work as a nurse at the city hospital."),
            ]),
            new DatasetSession("session_2", new DateTimeOffset(2023, 6, 12, 18, 0, 0, TimeSpan.Zero),
            [
                new DatasetTurn("D2:1", "Ben", "I moved to Porto on 1 June 2023."),
                new DatasetTurn("D2:2", "Ana", "My sister visited me from Madrid."),
            ]),
            new DatasetSession("session_3", Day3,
            [
                new DatasetTurn("D3:1", "Ana", "Pepper knocked over my tomato plants."),
                new DatasetTurn("D3:2", "Ben", "My cello teacher is called Mrs Osei."),
            ]),
        ],
        [
            new DatasetQuestion("syn_qa0", "What is the name of Ana's cat?", null, ["Pepper"], ["D1:1"], [], "1"),
            new DatasetQuestion("syn_qa1", "Which instrument is Ben learning?", null, ["cello"], ["D1:2"], [], "1"),
            new DatasetQuestion("syn_qa2", "When did Ben move to Porto?", null, ["1 June 2023"], ["D2:1"], [], "2"),
            new DatasetQuestion("syn_qa3", "Where does Ana's sister live?", null, ["Madrid"], ["D2:2"], [], "2"),
            new DatasetQuestion("syn_qa4", "What is Ana's job?", null, ["nurse"], ["D1:3"], [], "3"),
            new DatasetQuestion("syn_qa5", "Who teaches Ben the cello?", null, ["Mrs Osei"], ["D3:2"], [], "3"),
            new DatasetQuestion("syn_qa6", "What did Pepper knock over?", null, ["tomato plants"], [], [], "3"),
        ]);

    public static IReadOnlyList<(string Category, string Answer)> Pool(DatasetConversation conversation) =>
        conversation.Questions.SelectMany(q => q.Answers.Select(a => (q.Category, a)))
            .Concat([("1", "Biscuit"), ("1", "violin"), ("2", "9 February 2021"), ("2", "Oslo"), ("3", "pilot"), ("3", "Mr Grant")])
            .ToList();
}

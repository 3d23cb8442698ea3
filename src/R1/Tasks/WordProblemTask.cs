namespace R1.Tasks;

/// <summary>
/// One-step word problems in English and simple Chinese (half each): distance = speed × time, cost = price ×
/// count, items in boxes, money left, age difference, a total. Small numbers, short sentences, prompts of at most
/// 60 characters; the Chinese ones use a deliberately small character set (see the datasheet).
/// <see cref="Example.Kind"/> is the problem type; <see cref="Example.Numbers"/> = [a, b] in the order the
/// operation uses them.
/// </summary>
public sealed class WordProblemTask : ITask
{
    public string Name => "wordproblems";

    /// <summary>Problem types and the operation each needs.</summary>
    public static readonly IReadOnlyDictionary<string, char> Operations = new Dictionary<string, char>
    {
        ["speed"] = '*', ["price"] = '*', ["box"] = '*', ["money"] = '-', ["agediff"] = '-', ["total"] = '+',
    };

    static readonly string[] Kinds = ["speed", "price", "box", "money", "agediff", "total"];
    static readonly (string En, string Zh)[] Vehicles = [("car", "汽车"), ("bus", "客车"), ("train", "火车")];
    static readonly (string En, string Zh, string Unit)[] Goods = [("pen", "笔", "支"), ("book", "书", "本"), ("ball", "球", "个"), ("cup", "杯子", "个")];
    static readonly (string En, string Zh)[] Fruit = [("apples", "苹果"), ("eggs", "鸡蛋"), ("pears", "梨")];
    static readonly (string En, string Zh)[] Kids = [("Amy", "小红"), ("Tom", "小明"), ("Ann", "小丽"), ("Bob", "小华")];
    static readonly (string En, string Zh)[] Parents = [("Dad", "爸爸"), ("Mom", "妈妈")];

    public Example Generate(Rng rng, string id)
    {
        string kind = rng.Pick(Kinds);
        bool zh = rng.Chance(0.5);
        int a, b;
        string q;
        switch (kind)
        {
            case "speed":
                {
                    var v = rng.Pick(Vehicles); a = rng.NextInt(12, 95); b = rng.NextInt(2, 9);
                    q = zh ? $"{v.Zh}每小时行{a}千米，{b}小时行多少千米？" : $"A {v.En} goes {a} km an hour for {b} hours. How far?";
                    break;
                }
            case "price":
                {
                    var g = rng.Pick(Goods); a = rng.NextInt(12, 60); b = rng.NextInt(2, 9);
                    q = zh ? $"一{g.Unit}{g.Zh}{a}元，买{b}{g.Unit}要多少元？" : $"A {g.En} costs {a} yuan. How much do {b} {g.En}s cost?";
                    break;
                }
            case "box":
                {
                    var f = rng.Pick(Fruit); a = rng.NextInt(12, 48); b = rng.NextInt(2, 9);
                    q = zh ? $"一盒有{a}个{f.Zh}，{b}盒有多少个{f.Zh}？" : $"A box holds {a} {f.En}. How many in {b} boxes?";
                    break;
                }
            case "money":
                {
                    var k = rng.Pick(Kids); a = rng.NextInt(30, 99); b = rng.NextInt(11, a - 10);
                    q = zh ? $"{k.Zh}有{a}元，用了{b}元，还剩多少元？" : $"{k.En} has {a} yuan and spends {b}. How much is left?";
                    break;
                }
            case "agediff":
                {
                    var p = rng.Pick(Parents); var k = rng.Pick(Kids); a = rng.NextInt(30, 70); b = rng.NextInt(5, 25);
                    q = zh ? $"{p.Zh}{a}岁，{k.Zh}{b}岁，{p.Zh}比{k.Zh}大几岁？" : $"{p.En} is {a} and {k.En} is {b}. How much older is {p.En}?";
                    break;
                }
            default: // total
                {
                    a = rng.NextInt(100, 600); b = rng.NextInt(12, 99);
                    q = zh ? $"农场有{a}只鸡和{b}只鸭，一共有多少只？" : $"A farm has {a} hens and {b} ducks. How many birds?";
                    break;
                }
        }
        int answer = Operations[kind] switch { '*' => a * b, '-' => a - b, _ => a + b };
        return new Example(id, Name, zh ? "zh" : "en", PromptTemplate.Format(q), answer.ToString(), kind, [a, b]);
    }

    public VerifyResult Verify(Example example, string completion) => Verifiers.Numeric(example, completion);
}

namespace R1.Tasks;

/// <summary>
/// Countdown (TinyZero's task): reach a target from 3 (60%) or 4 (40%) numbers in 1..25 with + − × ÷, each
/// number used exactly once. Generated backwards: a random expression over the numbers whose every
/// intermediate value is a positive integer (division only when exact) gives the target, which lies in
/// [<see cref="MinTarget"/>, <see cref="MaxTarget"/>]; that expression is <see cref="Example.Answer"/>.
/// Prompt: "Q: make 46 from 3 7 25\nA: ". Language "en".
/// </summary>
public sealed class CountdownTask : ITask
{
    public const int MinTarget = 10, MaxTarget = 200;

    public string Name => "countdown";

    public Example Generate(Rng rng, string id)
    {
        while (true)
        {
            int count = rng.Chance(0.6) ? 3 : 4;
            var numbers = new int[count];
            for (int i = 0; i < count; i++) numbers[i] = rng.NextInt(1, 25);
            var (expr, value) = RandomExpression(rng, numbers);
            if (value < MinTarget || value > MaxTarget || numbers.Contains(value)) continue;
            var question = $"make {value} from {string.Join(' ', numbers)}";
            return new Example(id, Name, "en", PromptTemplate.Format(question), expr, $"n{count}", numbers, value);
        }
    }

    public VerifyResult Verify(Example example, string completion) => Verifiers.Countdown(example, completion);

    /// <summary>
    /// A random expression using every number once, every intermediate value a positive integer, printed with
    /// the fewest parentheses. Operators: + 35%, − 25%, × 30%, ÷ 10% (retried when the constraint fails).
    /// </summary>
    internal static (string Expr, int Value) RandomExpression(Rng rng, IReadOnlyList<int> numbers)
    {
        var nodes = numbers.Select(n => new Node(n)).ToList();
        rng.Shuffle(nodes);
        while (nodes.Count > 1)
        {
            int i = rng.NextInt(nodes.Count), j = rng.NextInt(nodes.Count - 1);
            if (j >= i) j++;
            Node l = nodes[i], r = nodes[j];
            Node? combined = null;
            for (int attempt = 0; attempt < 8 && combined is null; attempt++)
            {
                int roll = rng.NextInt(100);
                char op = roll < 35 ? '+' : roll < 60 ? '-' : roll < 90 ? '*' : '/';
                combined = op switch
                {
                    '+' => new Node('+', l, r, l.Value + r.Value),
                    '-' when l.Value > r.Value => new Node('-', l, r, l.Value - r.Value),
                    '*' when l.Value * r.Value <= 999 => new Node('*', l, r, l.Value * r.Value),
                    '/' when r.Value > 1 && l.Value % r.Value == 0 => new Node('/', l, r, l.Value / r.Value),
                    _ => null,
                };
            }
            combined ??= new Node('+', l, r, l.Value + r.Value);
            nodes.RemoveAt(Math.Max(i, j));
            nodes.RemoveAt(Math.Min(i, j));
            nodes.Add(combined);
        }
        return (nodes[0].ToString(), nodes[0].Value);
    }

    sealed class Node
    {
        readonly char op; // '\0' for a leaf
        readonly Node? left, right;
        public readonly int Value;

        public Node(int value) => Value = value;
        public Node(char op, Node left, Node right, int value) { this.op = op; this.left = left; this.right = right; Value = value; }

        static int Prec(char op) => op is '+' or '-' ? 1 : op is '*' or '/' ? 2 : 3;

        public override string ToString()
        {
            if (op == '\0') return Value.ToString();
            // Parenthesise a child that binds looser, or a same-precedence right child of − or ÷.
            var l = Prec(left!.op) < Prec(op) ? $"({left})" : left.ToString();
            bool rParen = Prec(right!.op) < Prec(op) || (Prec(right.op) == Prec(op) && op is '-' or '/');
            var r = rParen ? $"({right})" : right.ToString();
            return $"{l}{op}{r}";
        }
    }
}

// A BFF aggregator: two downstream calls in parallel, one JSON answer shaped for the page.
export default async function (req, ctx) {
  const id = req.params.id;
  const [user, orders] = await Promise.all([
    ctx.fetch(`http://backend/users/${id}`).then((r) => r.json()),
    ctx.fetch(`http://backend/users/${id}/orders`).then((r) => r.json()),
  ]);
  const total = orders.reduce((sum, o) => sum + o.amount, 0);
  return {
    id: user.id,
    name: user.name,
    tier: user.tier,
    orders: { count: orders.length, open: orders.filter((o) => o.status === "open").length, total: Math.round(total * 100) / 100 },
    recent: orders.slice(-3).reverse().map((o) => ({ id: o.id, amount: o.amount })),
  };
}

fn main() {
    let mut sim = kubestep::Sim::new(kubestep::SimConfig::default(), 7);
    let out = sim.run_until_idle();
    println!(
        "{out:?} now={} trace={} pending={}",
        sim.now(),
        sim.trace().len(),
        sim.pending()
    );
    for e in sim
        .trace()
        .entries()
        .iter()
        .filter(|e| e.from.name().starts_with("kubelet") || e.to.name().starts_with("kubelet"))
        .take(40)
    {
        println!(
            "{} {} -> {} {}",
            e.time_ms,
            e.from.name(),
            e.to.name(),
            e.summary
        );
    }
}

/**
 * Loss names as a person reads them. Trainers log short code names (Age-cGAN: D_real, G_rec,
 * G_teacher...; CycleGAN: D, G, G_gan, G_cycle, G_idt...); the dashboard shows words, and the code
 * name (underscores as spaces) only where no word is known.
 */
const WORDS: Record<string, string> = {
  D: 'Discriminator, total',
  G: 'Generator, total',
  D_real: 'Discriminator on real faces',
  D_fake: 'Discriminator on generated faces',
  D_mismatch: 'Discriminator on wrong ages',
  D_wrong_age: 'Discriminator on wrong ages',
  D_A: 'Discriminator (young side)',
  D_B: 'Discriminator (old side)',
  G_adv: 'Realism (fooling the discriminator)',
  G_gan: 'Realism (fooling the discriminator)',
  G_A: 'Realism, aging direction',
  G_B: 'Realism, rejuvenating direction',
  G_rec: 'Reconstruction of the input face',
  G_teacher: 'Agreement with the teacher model',
  G_extra: 'Other generator terms',
  G_id: 'Identity kept',
  G_idt: 'Unchanged when already at the age',
  G_age: 'Looks the target age',
  G_cycle: 'Round trip back to the input',
  G_anchor: 'Staying close to the base model',
  G_mask: 'Change kept to the face',
  G_tv: 'Smoothness',
  G_colour: 'Colour kept',
  E_z: 'Encoder: latent code',
  E_pix: 'Encoder: pixels',
  ce: 'Age classification error',
  acc: 'Age classification accuracy',
  cycle_A: 'Round trip, young side',
  cycle_B: 'Round trip, old side',
  idt_A: 'Unchanged at its own age, young side',
  idt_B: 'Unchanged at its own age, old side',
};

export function lossLabel(name: string): string {
  return WORDS[name] ?? name.replace(/_/g, ' ');
}

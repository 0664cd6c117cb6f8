import { cacGrades, type CacGrade, type IncidentRecord, type ScopeCounts } from './types.js';

/**
 * The grade of a personal-information incident by the number of people affected, as the
 * CAC's 国家网络安全事件报告管理办法 and its grading guide set it: 1 million or more is
 * 较大 (relatively major), 10 million 重大 (major), 100 million 特别重大 (especially major).
 */
export function gradeOf(affected: number): CacGrade {
  if (affected >= 100_000_000) return 'especially-major';
  if (affected >= 10_000_000) return 'major';
  if (affected >= 1_000_000) return 'relatively-major';
  return 'general';
}

/** The higher of two grades. */
export const maxGrade = (a: CacGrade, b: CacGrade): CacGrade => (cacGrades.indexOf(a) >= cacGrades.indexOf(b) ? a : b);

/** Whether `grade` is at least `floor` (the reporting duty starts at relatively major). */
export const gradeAtLeast = (grade: CacGrade, floor: CacGrade): boolean => cacGrades.indexOf(grade) >= cacGrades.indexOf(floor);

/**
 * The grade that counts: the count's, or the assessment's when it raised it (the guide
 * also grades by the data's sensitivity and the harm, which no count shows). An override
 * never lowers the computed grade.
 */
export function effectiveGrade(record: Pick<IncidentRecord, 'gradeOverride'>, counts: Pick<ScopeCounts, 'affected'>): CacGrade {
  const computed = gradeOf(counts.affected);
  return record.gradeOverride === undefined ? computed : maxGrade(computed, record.gradeOverride);
}

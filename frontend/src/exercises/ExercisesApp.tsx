/** The exercise pages (loaded on demand): the instructor's under `/exercises`, the student's under `/x`. */
import { usePathname } from '../router';
import { MessagePage } from '../ui/MessagePage';
import { Dashboard } from './Dashboard';
import { ExerciseEditor } from './ExerciseEditor';
import { ExerciseList } from './ExerciseList';
import { parseExerciseRoute } from './routes';
import { StudentPage } from './StudentPage';
import { SubmissionView } from './SubmissionView';
import { Workspace } from './Workspace';
import './exercises.css';

export function ExercisesApp() {
  const pathname = usePathname();
  const route = parseExerciseRoute(pathname);
  switch (route.page) {
    case 'list':
      return <ExerciseList />;
    case 'edit':
      return <ExerciseEditor id={route.id} />;
    case 'dashboard':
      return <Dashboard key={route.id} id={route.id} />;
    case 'submission':
      return <SubmissionView key={route.submission} exerciseId={route.id} id={route.submission} />;
    case 'student':
      return <StudentPage key={route.token} token={route.token} />;
    case 'work':
      return <Workspace key={route.token} token={route.token} />;
    default:
      return <MessagePage title="No page here" error={`Nothing lives at ${pathname}.`} />;
  }
}
